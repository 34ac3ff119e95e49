package multiplexing.bench;

/**
 * CPU time spent over a wall-clock interval, split into user and kernel (system) time.
 *
 * @param userSeconds time in our own code
 * @param systemSeconds time in the kernel on our behalf: syscalls, and the loopback's TCP work
 * @param wallSeconds the interval it was measured over
 */
record CpuTime(double userSeconds, double systemSeconds, double wallSeconds) {
  static final CpuTime NONE = new CpuTime(0, 0, 1);

  /** Fraction of one core busy over the interval: 1.0 is a full core. */
  double cores() {
    return (userSeconds + systemSeconds) / wallSeconds;
  }

  /** Fraction of the busy time spent in the kernel. */
  double systemShare() {
    double busy = userSeconds + systemSeconds;
    return busy == 0 ? 0 : systemSeconds / busy;
  }
}

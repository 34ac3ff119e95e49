package multiplexing.bench;

import java.util.Locale;

/**
 * What the load generator does on each connection.
 *
 * @param connections how many connections it opens, all at once
 * @param messageSize bytes per echo message
 * @param inFlight messages each connection keeps outstanding: 1 is ping-pong, more is pipelining;
 *     at a fixed rate, the most it lets one connection have outstanding before it skips a send
 * @param messagesPerConnection how many messages each connection sends in all; 0 means until the
 *     measuring window ends
 * @param closeWhenDone whether a connection hangs up as soon as its last message came back
 * @param rate messages per second over all connections, sent on a fixed schedule whatever the
 *     echoes do (an open loop); 0 for a closed loop, where an echo triggers the next send
 */
record Load(
    int connections,
    int messageSize,
    int inFlight,
    long messagesPerConnection,
    boolean closeWhenDone,
    int rate) {

  // At a fixed rate a connection may fall this far behind before we skip its sends.
  private static final int PACED_IN_FLIGHT = 256;

  /** Every connection keeps {@code inFlight} messages going until the window ends. */
  static Load sustained(int connections, int messageSize, int inFlight) {
    return new Load(connections, messageSize, inFlight, 0, false, 0);
  }

  /** Every connection echoes one message, then hangs up if {@code closeWhenDone}. */
  static Load once(int connections, int messageSize, boolean closeWhenDone) {
    return new Load(connections, messageSize, 1, 1, closeWhenDone, 0);
  }

  /**
   * {@code rate} messages per second in all, the connections taking turns, each message sent at its
   * time whether or not earlier ones came back.
   */
  static Load paced(int connections, int messageSize, int rate) {
    return new Load(connections, messageSize, PACED_IN_FLIGHT, 0, false, rate);
  }

  boolean isPaced() {
    return rate > 0;
  }

  /** How the console and the README name it: "100 x 64 B, 16 in flight". */
  String describe() {
    String size = messageSize >= 1024 ? messageSize / 1024 + " KiB" : messageSize + " B";
    String depth =
        isPaced()
            ? String.format(Locale.ROOT, "%,d msgs/s", rate)
            : inFlight == 1 ? "ping-pong" : inFlight + " in flight";
    return connections + " x " + size + ", " + depth;
  }
}

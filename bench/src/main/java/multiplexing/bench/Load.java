package multiplexing.bench;

/**
 * What the load generator does on each connection.
 *
 * @param inFlight messages each connection keeps outstanding (1 is ping-pong); at a fixed rate, the
 *     most one may have outstanding before its sends are skipped
 * @param messagesPerConnection messages each sends in all; 0: until the counting window ends
 * @param rate messages per second over all connections, each sent at its time whatever the echoes
 *     do (an open loop); 0 for a closed loop, where an echo triggers the next send
 */
record Load(int connections, int messageSize, int inFlight, long messagesPerConnection, int rate) {
  static Load sustained(int connections, int messageSize, int inFlight) {
    return new Load(connections, messageSize, inFlight, 0, 0);
  }

  /** Each connection echoes one message and stays open. */
  static Load once(int connections) {
    return new Load(connections, 64, 1, 1, 0);
  }

  /** 64 B messages at {@code rate} per second in all, the connections taking turns. */
  static Load paced(int connections, int rate) {
    return new Load(connections, 64, 256, 0, rate);
  }

  boolean isPaced() {
    return rate > 0;
  }

  /** How the tables name it, with no comma (it is a CSV field): "100 x 64 B 16 in flight". */
  @Override
  public String toString() {
    String size = messageSize >= 1024 ? messageSize / 1024 + " KiB" : messageSize + " B";
    String depth = inFlight == 1 ? "ping-pong" : inFlight + " in flight";
    return connections + " x " + size + " " + (isPaced() ? "at " + rate + "/s" : depth);
  }
}

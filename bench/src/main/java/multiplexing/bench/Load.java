package multiplexing.bench;

/**
 * What the load generator does on each connection.
 *
 * @param connections how many connections it opens, all at once
 * @param messageSize bytes per echo message
 * @param inFlight messages each connection keeps outstanding: 1 is ping-pong, more is pipelining
 * @param messagesPerConnection how many messages each connection sends in all; 0 means until the
 *     measuring window ends
 * @param closeWhenDone whether a connection hangs up as soon as its last message came back
 */
record Load(
    int connections,
    int messageSize,
    int inFlight,
    long messagesPerConnection,
    boolean closeWhenDone) {

  /** Every connection keeps {@code inFlight} messages going until the window ends. */
  static Load sustained(int connections, int messageSize, int inFlight) {
    return new Load(connections, messageSize, inFlight, 0, false);
  }

  /** Every connection echoes one message, then hangs up if {@code closeWhenDone}. */
  static Load once(int connections, int messageSize, boolean closeWhenDone) {
    return new Load(connections, messageSize, 1, 1, closeWhenDone);
  }

  /** How a student reads it in a table: "100 x 64 B, 16 in flight". */
  String describe() {
    String size = messageSize >= 1024 ? messageSize / 1024 + " KiB" : messageSize + " B";
    String depth = inFlight == 1 ? "ping-pong" : inFlight + " in flight";
    return connections + " x " + size + ", " + depth;
  }
}

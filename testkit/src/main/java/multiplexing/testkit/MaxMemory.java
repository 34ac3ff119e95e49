package multiplexing.testkit;

/**
 * Prints {@code Runtime.getRuntime().maxMemory()}: what a server in a child JVM started with the
 * same options sees as its heap. A test computes its bounds from the JVM, never from the server.
 */
public final class MaxMemory {
  private MaxMemory() {}

  public static void main(String[] args) {
    System.out.println(Runtime.getRuntime().maxMemory());
  }
}

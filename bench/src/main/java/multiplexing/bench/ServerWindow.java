package multiplexing.bench;

/**
 * Samples a server's /proc figures as the generator's counting window opens and closes, so that its
 * CPU time covers exactly the messages counted.
 */
final class ServerWindow implements LoadGenerator.Window {
  private final ServerProcess server;
  private ProcStats opened;
  private ProcStats closed;

  ServerWindow(ServerProcess server) {
    this.server = server;
  }

  @Override
  public void opened() {
    opened = ProcStats.precise(server.pid());
  }

  @Override
  public void closed() {
    closed = ProcStats.precise(server.pid());
  }

  /** The server's CPU time inside the window; none if the window never closed. */
  CpuTime cpu() {
    return opened == null || closed == null ? CpuTime.NONE : closed.since(opened);
  }

  /** The server's figures as the window closed (or now, if it never did). */
  ProcStats atClose() {
    return closed != null ? closed : server.stats();
  }
}

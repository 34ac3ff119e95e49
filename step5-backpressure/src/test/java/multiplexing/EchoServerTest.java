package multiplexing;

import multiplexing.testkit.EchoContract;

/**
 * Step 5: what we hold for clients, how many they are and how long they sit silent are bounded, and
 * an echo the socket has room for leaves at once.
 */
class EchoServerTest extends EchoContract {
  @Override
  protected Class<?> serverClass() {
    return EchoServer.class;
  }

  @Override
  protected String[] defaultArguments() {
    return new String[] {"--trace"};
  }
}

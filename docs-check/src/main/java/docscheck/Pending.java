package docscheck;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Step 5 lands by a merge: until then this tree holds an outdated copy of its server, and step 5's
 * chapter is written against the step as it will be. While the copy is here, the chapter's blocks
 * marked {@code <!-- pending excerpt: FILE -->} (or {@code pending include}) are not compared with
 * the code, the tests named in {@link #TESTS} need not exist yet, and step 5's trace session is not
 * recorded (the copy prints its keys in hash order, which changes from run to run). Once the file
 * changes, the docs check fails until every pending mark is gone, and then this class goes too.
 */
final class Pending {
  /** The outdated copy of step5-backpressure/src/main/java/multiplexing/EchoServer.java. */
  static final String COPY_SHA256 =
      "a5ca124a32a36fd824040a9da95e89fe73dbb39f088b66b3dd09121eef7e64b5";

  static final String STEP = "step5-backpressure";

  /** Step 5's tests the chapter names, as they are on step 5's branch. */
  static final Set<String> TESTS =
      Set.of(
          "EchoServerTest#anEchoTheSocketHasRoomForLeavesInThePassThatReadItAndNothingIsQueued",
          "EchoServerTest#aClientThatNeverReadsIsPausedAtTheHighWaterMarkAndResumedAtTheLowOneOnceItReads",
          "EchoServerTest#clientsThatNeverReadCannotTogetherExhaustTheHeap",
          "EchoServerTest#pastTheConnectionCapANewcomerIsRefusedByNameAndTheOthersKeepTheirEcho",
          "EchoServerTest#anIdleClientGetsAnEndOfStreamNotAResetWhileABusyOneStays",
          "EchoServerTest#aClientStillReadingALargeEchoWhenItLooksIdleGetsEveryByteThenAnEndOfStream");

  private Pending() {}

  /** True while step 5's server is still the outdated copy. */
  static boolean stepFiveIsTheOldCopy(Path root) {
    Path server = root.resolve(STEP).resolve("src/main/java/multiplexing/EchoServer.java");
    if (!server.toFile().isFile()) {
      return false;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(Repo.read(server).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).equals(COPY_SHA256);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

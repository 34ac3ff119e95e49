package multiplexing;

import multiplexing.testkit.AcceptFailureContract;
import multiplexing.testkit.Lesson;

/** Step 2's other weakness, gone: out of descriptors, accept() fails and the server goes on. */
@Lesson(
    "catch accept()'s exception: stop asking for OP_ACCEPT for a while, twice as long each time")
class AcceptFailureTest extends AcceptFailureContract {}

package multiplexing;

import multiplexing.testkit.AcceptFailureContract;
import multiplexing.testkit.Contract;

/** Step 4's accept backoff, kept through this step's new setUp(). */
@Contract
class AcceptFailureTest extends AcceptFailureContract {}

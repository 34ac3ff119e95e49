package multiplexing.testkit;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import org.junit.jupiter.api.Tag;

/** What an earlier step already does right: the step before passes it too. */
@Retention(RetentionPolicy.RUNTIME)
@Tag("contract")
public @interface Contract {}

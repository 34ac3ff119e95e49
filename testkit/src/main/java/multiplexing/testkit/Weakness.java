package multiplexing.testkit;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import org.junit.jupiter.api.Tag;

/** What this step keeps wrong on purpose, and a later step fixes: never graded. */
@Retention(RetentionPolicy.RUNTIME)
@Tag("weakness")
public @interface Weakness {}

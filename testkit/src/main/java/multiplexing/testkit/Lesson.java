package multiplexing.testkit;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import org.junit.jupiter.api.Tag;

/**
 * What this step adds: the step before fails it. A student's version that fails it gets the hint.
 */
@Retention(RetentionPolicy.RUNTIME)
@Tag("lesson")
public @interface Lesson {
  /** One line for a student whose version fails this test: what to look at. */
  String value();
}

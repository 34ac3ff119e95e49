package multiplexing.grader;

import java.util.Comparator;
import multiplexing.testkit.Contract;
import multiplexing.testkit.Lesson;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;

/**
 * Runs a class's lesson tests first, then its contract tests, each by name: how ./grade lists them.
 */
public final class LessonsFirst implements MethodOrderer {
  @Override
  public void orderMethods(MethodOrdererContext context) {
    context
        .getMethodDescriptors()
        .sort(
            Comparator.comparingInt(
                    (org.junit.jupiter.api.MethodDescriptor m) ->
                        m.isAnnotated(Lesson.class) ? 0 : m.isAnnotated(Contract.class) ? 1 : 2)
                .thenComparing(m -> m.getMethod().getName()));
  }
}

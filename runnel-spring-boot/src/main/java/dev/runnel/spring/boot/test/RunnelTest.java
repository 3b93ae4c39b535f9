package dev.runnel.spring.boot.test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AliasFor;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} test whose context also has a
 * {@link RunnelTestClient} bound to the running server, to inject and read streams with:
 *
 * <pre>{@code
 * @RunnelTest
 * class ClockTest {
 *     @Autowired RunnelTestClient runnel;
 *
 *     @Test
 *     void clockTicksThreeTimesThenEnds() {
 *         Recording clock = runnel.read("/sse/clock?count=3");
 *         assertThat(clock.data()).hasSize(3);
 *         assertThat(clock.end()).isInstanceOf(StreamEnd.Ended.class);
 *     }
 * }
 * }</pre>
 *
 * <p>Needs {@code spring-boot-test} and {@code runnel-client} on the test class path.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RunnelTestClientConfiguration.class)
public @interface RunnelTest {

    /** Properties for the test's environment, {@code key=value}; see {@link SpringBootTest#properties()}. */
    @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
    String[] properties() default {};

    /** The application's configuration classes; see {@link SpringBootTest#classes()}. */
    @AliasFor(annotation = SpringBootTest.class, attribute = "classes")
    Class<?>[] classes() default {};
}

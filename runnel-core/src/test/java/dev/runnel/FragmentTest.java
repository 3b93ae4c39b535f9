package dev.runnel;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class FragmentTest {

    @Test
    void targetWithHashIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Fragment.of("t.html", "b", Map.of(), "#clock"))
                .withMessageContaining("Fragment.target")
                .withMessageContaining("#clock");
    }

    @Test
    void targetStartingWithDigitIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Fragment.of("t.html", "b", Map.of(), "1abc"))
                .withMessageContaining("Fragment.target");
    }

    @Test
    void targetWithSpaceIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Fragment.of("t.html", "b", Map.of(), "a b"))
                .withMessageContaining("Fragment.target");
    }

    @Test
    void plainIdIsAValidTarget() {
        assertThat(Fragment.of("t.html", "b", Map.of(), "clock").target()).isEqualTo("clock");
    }

    @Test
    void idWithUnderscoreDigitAndDashIsAValidTarget() {
        assertThat(Fragment.of("t.html", "b", Map.of(), "_x-1").target()).isEqualTo("_x-1");
    }

    @Test
    void withTargetValidatesTheNewTarget() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Fragment.of("t.html", "b", Map.of()).withTarget("#x"));
    }

    @Test
    void nullValuesInContextAreAllowed() {
        Map<String, Object> context = new HashMap<>();
        context.put("user", null);

        Fragment fragment = Fragment.of("t.html", "b", context);

        assertThat(fragment.context()).containsEntry("user", null);
    }

    @Test
    void contextGivenAsImmutableMapIsAccepted() {
        Fragment fragment = new Fragment("t.html", "b", Map.of("n", 1), null, null);

        assertThat(fragment.context()).containsEntry("n", 1);
    }

    @Test
    void contextIsCopied() {
        Map<String, Object> context = new HashMap<>();
        context.put("n", 1);
        Fragment fragment = Fragment.of("t.html", "b", context);

        context.put("n", 2);

        assertThat(fragment.context()).containsEntry("n", 1);
    }

    @Test
    void nullContextBecomesEmpty() {
        assertThat(new Fragment("t.html", "b", null, null, null).context()).isEmpty();
    }

    @Test
    void blankTemplateIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Fragment.of(" ", "b", Map.of()))
                .withMessageContaining("Fragment.template");
    }

    @Test
    void blankBlockIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Fragment.of("t.html", "\t", Map.of()))
                .withMessageContaining("Fragment.block");
    }

    @Test
    void nullTemplateIsRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> Fragment.of(null, "b", Map.of()))
                .withMessageContaining("Fragment.template");
    }
}

package dev.runnel.mercure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicSelectorTest {

    @Test
    void starMatchesEveryTopic() {
        TopicSelector all = TopicSelector.of("*");
        assertThat(all.matches("https://example.com/books/1")).isTrue();
        assertThat(all.matches("")).isTrue();
        assertThat(all.matches("not an IRI at all {")).isTrue();
        assertThat(all.isTemplate()).isFalse();
    }

    @Test
    void sameStringMatchesEvenATemplateItself() {
        TopicSelector books = TopicSelector.of("https://example.com/books/{id}");
        assertThat(books.matches("https://example.com/books/{id}")).isTrue();
        assertThat(books.matches("https://example.com/books/1")).isTrue();
        assertThat(books.matches("https://example.com/books/1/2")).isFalse();
        assertThat(books.isTemplate()).isTrue();
    }

    @Test
    void anyStringIsASelectorEvenWhenNotATemplate() {
        TopicSelector broken = TopicSelector.of("https://example.com/{unclosed");
        assertThat(broken.isTemplate()).isFalse();
        assertThat(broken.matches("https://example.com/{unclosed")).isTrue();
        assertThat(broken.matches("https://example.com/x")).isFalse();
        TopicSelector spaced = TopicSelector.of("a topic with spaces");
        assertThat(spaced.matches("a topic with spaces")).isTrue();
        assertThat(spaced.matches("a topic")).isFalse();
    }

    @Test
    void plainIriMatchesOnlyItself() {
        TopicSelector foo = TopicSelector.of("https://example.com/foo");
        assertThat(foo.matches("https://example.com/foo")).isTrue();
        assertThat(foo.matches("https://example.com/foo/")).isFalse();
        assertThat(TopicSelector.of("bar").matches("bar")).isTrue();
    }

    @Test
    void selectorKeepsItsText() {
        assertThat(TopicSelector.of("a{b}")).hasToString("a{b}");
        assertThat(TopicSelector.of("a{b}").selector()).isEqualTo("a{b}");
        assertThat(TopicSelector.of("a{b}")).isEqualTo(TopicSelector.of("a{b}"));
        assertThat(TopicSelector.of("a{b}").hashCode()).isEqualTo(TopicSelector.of("a{b}").hashCode());
        assertThat(TopicSelector.of("a{b}")).isNotEqualTo(TopicSelector.of("a{c}"));
    }

    @Test
    void nullIsRefused() {
        assertThatThrownBy(() -> TopicSelector.of(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> TopicSelector.of("*").matches(null)).isInstanceOf(NullPointerException.class);
    }
}

package dev.runnel.mercure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UriTemplateTest {

    private static boolean matches(String template, String uri) {
        return UriTemplate.parse(template).matches(uri);
    }

    @Test
    void mercureBookTemplateMatchesEveryBook() {
        UriTemplate books = UriTemplate.parse("https://example.com/books/{id}");
        assertThat(books.matches("https://example.com/books/1")).isTrue();
        assertThat(books.matches("https://example.com/books/foo-bar_baz.~")).isTrue();
        assertThat(books.matches("https://example.com/books/")).isTrue(); // id = ""
        assertThat(books.matches("https://example.com/books/1/reviews")).isFalse();
        assertThat(books.matches("https://example.com/books")).isFalse();
        assertThat(books.matches("https://example.com/authors/1")).isFalse();
        assertThat(books.matches("https://example.com/books/1?x=y")).isFalse();
        assertThat(books.matches("https://example.com/books/1#top")).isFalse();
        assertThat(books.matches("http://example.com/books/1")).isFalse();
    }

    @Test
    void explodedPathMatchesAnyNumberOfSegments() {
        UriTemplate any = UriTemplate.parse("https://example.com{/path*}");
        assertThat(any.matches("https://example.com")).isTrue();
        assertThat(any.matches("https://example.com/")).isTrue();
        assertThat(any.matches("https://example.com/a")).isTrue();
        assertThat(any.matches("https://example.com/a/b/c")).isTrue();
        assertThat(any.matches("https://example.com/a//c")).isTrue();
        assertThat(any.matches("https://example.com/a/b?c")).isFalse();
        assertThat(any.matches("https://example.org/a")).isFalse();
    }

    @Test
    void mercureUserTopicTemplateMatchesAnEncodedTopicInTheQuery() {
        UriTemplate user = UriTemplate.parse("https://example.com/users/foo/{?topic}");
        assertThat(user.matches("https://example.com/users/foo/?topic=https%3A%2F%2Fexample.com%2Fbooks%2F1")).isTrue();
        assertThat(user.matches("https://example.com/users/foo/")).isTrue();
        // an unencoded topic is not what {?topic} expands to
        assertThat(user.matches("https://example.com/users/foo/?topic=https://example.com/books/1")).isFalse();
        assertThat(user.matches("https://example.com/users/bar/?topic=x")).isFalse();
        assertThat(user.matches("https://example.com/users/foo/?other=x")).isFalse();
    }

    @Test
    void templateWithoutExpressionMatchesOnlyItself() {
        UriTemplate plain = UriTemplate.parse("https://example.com/foo");
        assertThat(plain.matches("https://example.com/foo")).isTrue();
        assertThat(plain.matches("https://example.com/foo/")).isFalse();
        assertThat(plain.matches("https://example.com/fo")).isFalse();
        assertThat(plain.matches("https://example.com/FOO")).isFalse();
        assertThat(plain.matches("")).isFalse();
        assertThat(UriTemplate.parse("").matches("")).isTrue();
        assertThat(UriTemplate.parse("").matches("a")).isFalse();
    }

    @Test
    void literalPercentEncodingIsComparedExactly() {
        assertThat(matches("a%2Fb{x}", "a%2Fb1")).isTrue();
        assertThat(matches("a%2Fb{x}", "a/b1")).isFalse();
    }

    @ParameterizedTest(name = "{0} does not match {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{var}|a/b",
        "{var}|a b",
        "{var}|a%2",
        "{var}|a%zz",
        "{var}|a?b",
        "{var}|a,b=c:d",
        "{var:3}|value",
        "{var:3}|valu",
        "{+var}|a b",
        "{+var}|a\"b",
        "{+var}|a{b}",
        "{+var}|a%",
        "{#var}|value",
        "{#var}|# a",
        "{var*}|a,b=c",
        "{+var}|%ZZ%41",
        "{.var}|value",
        "{.var}|.a/b",
        "X{.list*}|X.red/green",
        "{/var}|value",
        "{/var}|/a?b",
        "{/var:2}|/abc",
        "{;x}|;y=1",
        "{;x}|x=1",
        "{;x,y}|;y=1;x=2",
        "{;list*}|;list=a,list=b",
        "{?x}|?y=1",
        "{?x}|&x=1",
        "{?x}|?x=1&y=2",
        "{?x,y}|?y=1&x=2",
        "{?x:2}|?x=abc",
        "{&x}|?x=1",
        "{x,y}|1;2",
        "{x}{y}|a/b",
        "a{x}b|ab/b",
        "a{x}b|a",
    })
    void expansionsTheTemplateCannotProduceDoNotMatch(String template, String uri) {
        assertThat(matches(template, uri)).isFalse();
    }

    @ParameterizedTest(name = "{0} matches {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // simple: unreserved and percent-encoded characters, lists joined by commas
        "{var}|",
        "{var}|a-b.c_d~e",
        "{var}|%2F%3f",
        "{var}|a,b,c",
        // reserved: reserved characters pass through
        "{+var}|a/b?c=d&e#f[g]@h!$'()*+,;=:",
        "{+var}|%2F%41",
        // fragment
        "{#var}|",
        "{#var}|#a/b#c",
        "{#var}|##",
        // label
        "{.var}|",
        "{.var}|.",
        "{.x,y}|.a.b",
        "X{.list*}|X.a=1.b=2",
        // path
        "{/x,y}|/a",
        "{/x,y}|/a/b",
        "{/list*}|/a=1/b=2",
        // path-style parameters
        "{;x}|;x",
        "{;x}|;x=1",
        "{;x,y}|;y=2",
        "{;list*}|;k=1;j;i=2",
        // form-style query: an exploded variable may be an associative array of any keys
        "{?x}|?x=",
        "{?x,y}|?y=2",
        "{?keys*}|?anything=1&else=",
        "{?x*}|?y=1",
        "{&x}|&x=1",
        "{&x}|",
        // several expressions
        "{x}{y}|ab",
        "{scheme}://{host}{/path*}{?query*}|https://example.com/a/b?c=d&e=f",
        "/books/{id}{?format}|/books/42?format=json",
    })
    void expansionsTheTemplateCanProduceMatch(String template, String uri) {
        assertThat(matches(template, uri == null ? "" : uri)).isTrue();
    }

    @Test
    void prefixCountsCharactersNotBytes() {
        assertThat(matches("{v:2}", "%C3%A9a")).isTrue(); // é then a
        assertThat(matches("{v:1}", "%C3%A9")).isTrue();
        assertThat(matches("{v:1}", "%F0%9F%98%80")).isTrue(); // one emoji
        assertThat(matches("{v:1}", "ab")).isFalse();
        assertThat(matches("{v:2}", "%C3%A9ab")).isFalse();
        assertThat(matches("{+v:1}", "%41")).isTrue(); // a lone triplet: one character at most
        assertThat(matches("{v:1}", "%C3%A9%C3%A9")).isFalse();
        assertThat(matches("{&b:1}", "&b=%F0%9F%98%80")).isTrue(); // named: the first character may be encoded too
        assertThat(matches("{;v:1}", ";v=%C3%A9")).isTrue();
        assertThat(matches("{;v:1}", ";v=%C3%A9a")).isFalse();
        assertThat(matches("{;v:2}", ";v")).isTrue();
        assertThat(matches("{;v:2}", ";v=ab")).isTrue();
        assertThat(matches("{;v:2}", ";v=")).isFalse();
        assertThat(matches("{?v:9999}", "?v=" + "a".repeat(9999))).isTrue();
        assertThat(matches("{?v:9999}", "?v=" + "a".repeat(10000))).isFalse();
    }

    @Test
    void variablesHoldNonAsciiPercentEncodedAsExpansionWritesIt() {
        assertThat(matches("https://example.com/livres/{id}", "https://example.com/livres/caf%C3%A9")).isTrue();
        assertThat(matches("https://example.com/livres/{id}", "https://example.com/livres/caf%c3%a9")).isTrue();
        assertThat(matches("https://example.com/livres/{id}", "https://example.com/livres/café")).isFalse();
        assertThat(matches("https://example.com/livres/{+id}", "https://example.com/livres/日本語")).isFalse();
        assertThat(matches("{id}", "a\uD800b")).isFalse();
        assertThat(matches("{+id}", "a\u0000b")).isFalse();
        assertThat(matches("{+id}", "a\u0085b")).isFalse();
    }

    @Test
    void literalIriCharactersMatchThemselves() {
        assertThat(matches("https://exämple.com/livres/{id}", "https://exämple.com/livres/x")).isTrue();
        assertThat(matches("https://exämple.com/{id}", "https://example.com/x")).isFalse();
        assertThat(matches("https://example.com/日本/{id}", "https://example.com/日本/1")).isTrue();
        assertThat(matches("https://example.com/😀{/id}", "https://example.com/😀/1")).isTrue();
        assertThat(matches("https://example.com/😀{/id}", "https://example.com/😁/1")).isFalse();
        assertThat(UriTemplate.parse("https://example.com/😀").matches("https://example.com/😀")).isTrue();
    }

    @Test
    void longHostileTopicIsRejectedWithoutBacktracking() {
        // Nested or adjacent unbounded repetitions make a backtracking regex take exponential
        // or high-polynomial time on a near miss; the matcher must stay linear in the input.
        StringBuilder template = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            template.append("{a").append(i).append("}{+b").append(i).append("*}{?c").append(i).append("*}");
        }
        template.append("!end");
        UriTemplate t = UriTemplate.parse(template.toString());
        String body = "a,b=c&".repeat(8 * 1024 / 6);
        // passes the cheap prefix and suffix checks; the space near the end is what fails
        String nearMiss = body + " !end";
        for (int i = 0; i < 3; i++) {
            assertThat(t.matches(nearMiss)).isFalse();
        }
        assertThat(t.matches(body + "!end")).isTrue();
    }

    @Test
    void manyPrefixesOnALongTopicStayLinear() {
        UriTemplate t = UriTemplate.parse("{/a:9999,b:9999,c:9999,d:9999}x");
        String topic = "/" + "a".repeat(8 * 1024);
        for (int i = 0; i < 20; i++) {
            assertThat(t.matches(topic + "!x")).isFalse();
        }
        assertThat(t.matches(topic + "x")).isTrue();
    }

    @Test
    void matchingIsSafeFromManyThreads() throws Exception {
        UriTemplate t = UriTemplate.parse("https://example.com/books/{id}{?page}");
        Thread[] threads = new Thread[4];
        boolean[] ok = new boolean[threads.length];
        for (int i = 0; i < threads.length; i++) {
            int n = i;
            threads[i] = Thread.ofPlatform().start(() -> {
                boolean all = true;
                for (int k = 0; k < 2000; k++) {
                    all &= t.matches("https://example.com/books/" + k + "?page=" + n);
                    all &= !t.matches("https://example.com/books/" + k + "/x");
                }
                ok[n] = all;
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(ok).containsOnly(true);
    }

    @Test
    void loneVariableShortcutAgreesWithTheAutomaton() {
        // {x}{z} expands to the same strings as {x}, but is not a lone variable: the automaton decides
        String pool = "aZ9-._~%4fG,;/?#[]@!$&'()*+= é{";
        java.util.Random random = new java.util.Random(42);
        for (String op : new String[] {"", "+"}) {
            UriTemplate lone = UriTemplate.parse("p/{" + op + "x}.s");
            UriTemplate pair = UriTemplate.parse("p/{" + op + "x}{" + op + "z}.s");
            for (int i = 0; i < 20_000; i++) {
                StringBuilder middle = new StringBuilder();
                for (int n = random.nextInt(8); n > 0; n--) {
                    middle.append(pool.charAt(random.nextInt(pool.length())));
                }
                String uri = "p/" + middle + ".s";
                assertThat(lone.matches(uri)).as("%s on %s", lone, uri).isEqualTo(pair.matches(uri));
            }
        }
    }

    @Test
    void templateKeepsItsText() {
        assertThat(UriTemplate.parse("https://example.com/{id}")).hasToString("https://example.com/{id}");
        assertThat(UriTemplate.parse("a{b}")).isEqualTo(UriTemplate.parse("a{b}"));
        assertThat(UriTemplate.parse("a{b}").hashCode()).isEqualTo(UriTemplate.parse("a{b}").hashCode());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "https://example.com/{id",
        "https://example.com/{id}}",
        "https://example.com/id}",
        "{a{b}}",
        "{}",
        "{+}",
        "{=var}",
        "{,var}",
        "{!var}",
        "{@var}",
        "{|var}",
        "{$var}",
        "{var,}",
        "{,}",
        "{va r}",
        "{var-x}",
        "{.var.}",
        "{var..x}",
        "{.var}{.}",
        "{var%2}",
        "{var%zz}",
        "{var:0}",
        "{var:10000}",
        "{var:01}",
        "{var:}",
        "{var:3*}",
        "{var*:3}",
        "{var**}",
        "{var:a}",
        "a b{x}",
        "a\"b",
        "a'b",
        "a<b",
        "a>b",
        "a\\b",
        "a^b",
        "a`b",
        "a|b",
        "a%b",
        "a%4",
        "a%4g",
        "a\u0001b",
        "a\u007Fb",
        "a\uD800b",
    })
    void malformedTemplatesAreRefusedWithAReason(String template) {
        assertThatThrownBy(() -> UriTemplate.parse(template))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("URI template");
    }

    @Test
    void templatesLongerThanTheLimitAreRefused() {
        String longest = "https://example.com/" + "{a}".repeat((UriTemplate.MAX_LENGTH - 20) / 3);
        assertThat(UriTemplate.parse(longest).matches("https://example.com/x")).isTrue();
        assertThatThrownBy(() -> UriTemplate.parse(longest + "{b}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("URI template")
                .hasMessageContaining(String.valueOf(UriTemplate.MAX_LENGTH));
        assertThat(TopicSelector.of(longest + "{b}").isTemplate()).isFalse();
    }

    @Test
    void errorSaysWhereAndWhat() {
        assertThatThrownBy(() -> UriTemplate.parse("https://example.com/{id"))
                .hasMessageContaining("unclosed")
                .hasMessageContaining("20");
        assertThatThrownBy(() -> UriTemplate.parse("{var:10000}"))
                .hasMessageContaining("1..9999");
        assertThatThrownBy(() -> UriTemplate.parse("{=x}"))
                .hasMessageContaining("reserved operator '='");
    }

    @Test
    void validVariableNames() {
        assertThat(matches("{a.b_c%41,9}", "x,y")).isTrue();
        assertThat(matches("{;a.b}", ";a.b=1")).isTrue();
        assertThat(matches("{;%41}", ";%41=1")).isTrue();
        assertThat(matches("{;%41}", ";A=1")).isFalse();
    }

    @Test
    void nullIsRefused() {
        assertThatThrownBy(() -> UriTemplate.parse(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> UriTemplate.parse("{x}").matches(null)).isInstanceOf(NullPointerException.class);
    }
}

package dev.runnel.mercure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every expansion listed in RFC 6570 (sections 1.2 and 3.2) must match its template. The
 * expansions were worked out from the RFC's variable values:
 *
 * <pre>
 * count := ("one", "two", "three")   dom := ("example", "com")   dub := "me/too"
 * hello := "Hello World!"   half := "50%"   var := "value"   who := "fred"
 * base := "http://example.com/home/"   path := "/foo/bar"   list := ("red", "green", "blue")
 * keys := [("semi", ";"), ("dot", "."), ("comma", ",")]   v := "6"   x := "1024"   y := "768"
 * empty := ""   empty_keys := []   undef := null
 * </pre>
 */
class UriTemplateRfcExamplesTest {

    static Stream<Arguments> expansions() {
        return Stream.of(
                // 3.2.1 variable expansion
                of("{count}", "one,two,three"),
                of("{count*}", "one,two,three"),
                of("{/count}", "/one,two,three"),
                of("{/count*}", "/one/two/three"),
                of("{;count}", ";count=one,two,three"),
                of("{;count*}", ";count=one;count=two;count=three"),
                of("{?count}", "?count=one,two,three"),
                of("{?count*}", "?count=one&count=two&count=three"),
                of("{&count*}", "&count=one&count=two&count=three"),
                // 3.2.2 simple string expansion
                of("{var}", "value"),
                of("{hello}", "Hello%20World%21"),
                of("{half}", "50%25"),
                of("O{empty}X", "OX"),
                of("O{undef}X", "OX"),
                of("{x,y}", "1024,768"),
                of("{x,hello,y}", "1024,Hello%20World%21,768"),
                of("?{x,empty}", "?1024,"),
                of("?{x,undef}", "?1024"),
                of("?{undef,y}", "?768"),
                of("{var:3}", "val"),
                of("{var:30}", "value"),
                of("{list}", "red,green,blue"),
                of("{list*}", "red,green,blue"),
                of("{keys}", "semi,%3B,dot,.,comma,%2C"),
                of("{keys*}", "semi=%3B,dot=.,comma=%2C"),
                // 3.2.3 reserved expansion
                of("{+var}", "value"),
                of("{+hello}", "Hello%20World!"),
                of("{+half}", "50%25"),
                of("{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex"),
                of("{+base}index", "http://example.com/home/index"),
                of("O{+empty}X", "OX"),
                of("O{+undef}X", "OX"),
                of("{+path}/here", "/foo/bar/here"),
                of("here?ref={+path}", "here?ref=/foo/bar"),
                of("up{+path}{var}/here", "up/foo/barvalue/here"),
                of("{+x,hello,y}", "1024,Hello%20World!,768"),
                of("{+path,x}/here", "/foo/bar,1024/here"),
                of("{+path:6}/here", "/foo/b/here"),
                of("{+list}", "red,green,blue"),
                of("{+list*}", "red,green,blue"),
                of("{+keys}", "semi,;,dot,.,comma,,"),
                of("{+keys*}", "semi=;,dot=.,comma=,"),
                // 3.2.4 fragment expansion
                of("{#var}", "#value"),
                of("{#hello}", "#Hello%20World!"),
                of("{#half}", "#50%25"),
                of("foo{#empty}", "foo#"),
                of("foo{#undef}", "foo"),
                of("{#x,hello,y}", "#1024,Hello%20World!,768"),
                of("{#path,x}/here", "#/foo/bar,1024/here"),
                of("{#path:6}/here", "#/foo/b/here"),
                of("{#list}", "#red,green,blue"),
                of("{#list*}", "#red,green,blue"),
                of("{#keys}", "#semi,;,dot,.,comma,,"),
                of("{#keys*}", "#semi=;,dot=.,comma=,"),
                of("X{#hello}", "X#Hello%20World!"),
                // 3.2.5 label expansion
                of("{.who}", ".fred"),
                of("{.who,who}", ".fred.fred"),
                of("{.half,who}", ".50%25.fred"),
                of("www{.dom*}", "www.example.com"),
                of("X{.var}", "X.value"),
                of("X{.x,y}", "X.1024.768"),
                of("X{.empty}", "X."),
                of("X{.undef}", "X"),
                of("X{.var:3}", "X.val"),
                of("X{.list}", "X.red,green,blue"),
                of("X{.list*}", "X.red.green.blue"),
                of("X{.keys}", "X.semi,%3B,dot,.,comma,%2C"),
                of("X{.keys*}", "X.semi=%3B.dot=..comma=%2C"),
                of("X{.empty_keys}", "X"),
                of("X{.empty_keys*}", "X"),
                // 3.2.6 path segment expansion
                of("{/who}", "/fred"),
                of("{/who,who}", "/fred/fred"),
                of("{/half,who}", "/50%25/fred"),
                of("{/who,dub}", "/fred/me%2Ftoo"),
                of("{/var}", "/value"),
                of("{/var,empty}", "/value/"),
                of("{/var,undef}", "/value"),
                of("{/var,x}/here", "/value/1024/here"),
                of("{/var:1,var}", "/v/value"),
                of("{/list}", "/red,green,blue"),
                of("{/list*}", "/red/green/blue"),
                of("{/list*,path:4}", "/red/green/blue/%2Ffoo"),
                of("{/keys}", "/semi,%3B,dot,.,comma,%2C"),
                of("{/keys*}", "/semi=%3B/dot=./comma=%2C"),
                // 3.2.7 path-style parameter expansion
                of("{;who}", ";who=fred"),
                of("{;half}", ";half=50%25"),
                of("{;empty}", ";empty"),
                of("{;v,empty,who}", ";v=6;empty;who=fred"),
                of("{;v,bar,who}", ";v=6;who=fred"),
                of("{;x,y}", ";x=1024;y=768"),
                of("{;x,y,empty}", ";x=1024;y=768;empty"),
                of("{;x,y,undef}", ";x=1024;y=768"),
                of("{;hello:5}", ";hello=Hello"),
                of("{;list}", ";list=red,green,blue"),
                of("{;list*}", ";list=red;list=green;list=blue"),
                of("{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"),
                of("{;keys*}", ";semi=%3B;dot=.;comma=%2C"),
                // 3.2.8 form-style query expansion
                of("{?who}", "?who=fred"),
                of("{?half}", "?half=50%25"),
                of("{?x,y}", "?x=1024&y=768"),
                of("{?x,y,empty}", "?x=1024&y=768&empty="),
                of("{?x,y,undef}", "?x=1024&y=768"),
                of("{?var:3}", "?var=val"),
                of("{?list}", "?list=red,green,blue"),
                of("{?list*}", "?list=red&list=green&list=blue"),
                of("{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"),
                of("{?keys*}", "?semi=%3B&dot=.&comma=%2C"),
                // 3.2.9 form-style query continuation
                of("{&who}", "&who=fred"),
                of("{&half}", "&half=50%25"),
                of("?fixed=yes{&x}", "?fixed=yes&x=1024"),
                of("{&x,y,empty}", "&x=1024&y=768&empty="),
                of("{&var:3}", "&var=val"),
                of("{&list}", "&list=red,green,blue"),
                of("{&list*}", "&list=red&list=green&list=blue"),
                of("{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"),
                of("{&keys*}", "&semi=%3B&dot=.&comma=%2C"),
                // 1.2 levels, the ones not listed above
                of("map?{x,y}", "map?1024,768"),
                of("{?x,y,empty}", "?x=1024&y=768&empty="));
    }

    private static Arguments of(String template, String expansion) {
        return Arguments.of(template, expansion);
    }

    @ParameterizedTest(name = "{0} matches {1}")
    @MethodSource("expansions")
    void everyRfcExpansionMatchesItsTemplate(String template, String expansion) {
        assertThat(UriTemplate.parse(template).matches(expansion)).isTrue();
    }
}

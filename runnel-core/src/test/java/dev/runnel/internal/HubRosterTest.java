package dev.runnel.internal;

import dev.runnel.EngineMetrics;
import dev.runnel.hub.HubOptions;
import dev.runnel.hub.Roster;
import dev.runnel.hub.Update;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hub's last event id, and the rosters it hands out: in memory for one node, the log's on a log. */
class HubRosterTest {

    private static TopicHub inMemory() {
        return new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS.withPublisherIds(true), EngineMetrics.NOOP, null, 0);
    }

    @Test
    void theLastEventIdIsTheNewestDeliveredOfAnyTopic() {
        TopicHub hub = inMemory();
        assertThat(hub.lastEventId()).isEmpty();

        String first = hub.publish("a", "1").id();
        assertThat(hub.lastEventId()).hasValue(first);
        hub.publish(Update.of("https://example.com/ü", "2").withId("urn:mine:ü").asPrivate());

        assertThat(hub.lastEventId()).hasValue("urn:mine:ü");
    }

    @Test
    void onALogTheLastEventIdIsTheNewestReadFromAnyNodeAndIsForgottenWithTheLogsData() {
        LogHubTest.FakeLog log = new LogHubTest.FakeLog();
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, EngineMetrics.NOOP, log);
        LogHubTest.catchUp(hub, log);
        String elsewhere = log.publish("t", "from another node");
        assertThat(hub.lastEventId()).as("not read yet").isEmpty();

        LogHubTest.catchUp(hub, log);
        assertThat(hub.lastEventId()).hasValue(elsewhere);

        log.wipe();
        LogHubTest.catchUp(hub, log);
        assertThat(hub.lastEventId()).isEmpty();
    }

    @Test
    void anInMemoryRosterListsByKeyAndWithdrawsAtOnce() {
        Roster roster = inMemory().roster("mercure-subscriptions", Roster.Listener.NONE);
        roster.announce("b", "2\nline");
        roster.announce("a", "");
        roster.announce("b", "3");

        assertThat(roster.entries()).containsExactly(new Roster.Entry("a", ""), new Roster.Entry("b", "3"));
        assertThat(roster.withdraw("b")).isTrue();
        assertThat(roster.withdraw("never")).isTrue();
        assertThat(roster.find("b")).isEmpty();
        assertThat(roster.find("a")).hasValue(new Roster.Entry("a", ""));
    }

    @Test
    void aHubOnALogAsksTheLogForItsRoster() {
        List<String> asked = new ArrayList<>();
        Roster made = Roster.ofThisNode();
        LogHubTest.FakeLog log = new LogHubTest.FakeLog() {
            @Override
            public Roster roster(String name, Roster.Listener listener) {
                asked.add(name);
                return made;
            }
        };
        TopicHub hub = new TopicHub(new ValueFormatter(null, null), null, HubOptions.DEFAULTS, EngineMetrics.NOOP, log);

        assertThat(hub.roster("r.1_-", Roster.Listener.NONE)).isSameAs(made);
        assertThat(asked).containsExactly("r.1_-");
    }

    @Test
    void aRostersNameIsCheckedAndSaysWhatIsAllowed() {
        TopicHub hub = inMemory();
        for (String bad : new String[]{"", "a:b", "a b", "x".repeat(65), "é", null}) {
            assertThatThrownBy(() -> hub.roster(bad, Roster.Listener.NONE)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1 to 64");
        }
        assertThat(hub.roster("x".repeat(64), Roster.Listener.NONE).entries()).isEmpty();
    }
}

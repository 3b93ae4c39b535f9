package dev.runnel.internal;

import dev.runnel.hub.Roster;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link Roster} of one node, in memory: nobody else lists, nobody departs. */
public final class LocalRoster implements Roster {

    private final Map<String, String> entries = new ConcurrentHashMap<>();

    @Override
    public void announce(String key, String value) {
        entries.put(key, value);
    }

    @Override
    public boolean withdraw(String key) {
        entries.remove(key);
        return true;
    }

    @Override
    public List<Entry> entries() {
        return entries.entrySet().stream()
                .map(e -> new Entry(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing(Entry::key))
                .toList();
    }

    @Override
    public Optional<Entry> find(String key) {
        return Optional.ofNullable(entries.get(key)).map(v -> new Entry(key, v));
    }

    @Override
    public void close() {
        entries.clear();
    }
}

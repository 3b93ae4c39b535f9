"""Share of execution samples whose stack holds each of the hub's publish-side classes (JFR recordings given)."""
import json, subprocess, sys, collections
J = '/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'
WATCH = ['SelectorCache', 'SubscriberRegistry.recipients', 'TopicStore.joinAll', 'TopicStore.topicFor', 'TopicStore.buffer',
         'TopicStore.pruneIfIdle', 'ReplayBudget', 'PublishCombiner.publishLocked', 'FanOut.deliver', 'FanOut$Part',
         'TopicHub.publish', 'StreamLifecycle', 'DueClock']
for f in sys.argv[1:]:
    d = json.loads(subprocess.run([J, 'print', '--json', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', f],
                                  capture_output=True, text=True).stdout)
    ev = d['recording']['events']
    c = collections.Counter()
    for e in ev:
        s = ' '.join(fr['method']['type']['name'].split('/')[-1] + '.' + fr['method']['name'] for fr in e['values']['stackTrace']['frames'])
        for w in WATCH:
            if w in s:
                c[w] += 1
    print(f, 'samples', len(ev))
    for w in WATCH:
        print(f'  {w}: {c[w]} ({100 * c[w] / max(1, len(ev)):.1f}%)')

"""Within samples under SubscriberRegistry.recipients: the frame just below it, and the leaf frames."""
import json, subprocess, sys, collections
J = '/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'
for f in sys.argv[1:]:
    d = json.loads(subprocess.run([J, 'print', '--json', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', f],
                                  capture_output=True, text=True).stdout)
    below, leaf = collections.Counter(), collections.Counter()
    n = 0
    for e in d['recording']['events']:
        fr = [x['method']['type']['name'].split('/')[-1] + '.' + x['method']['name'] for x in e['values']['stackTrace']['frames']]
        if 'SubscriberRegistry.recipients' not in fr:
            continue
        n += 1
        i = fr.index('SubscriberRegistry.recipients')
        below[fr[i - 1] if i > 0 else '(recipients itself)'] += 1
        leaf[fr[0]] += 1
    print(f, 'samples under recipients:', n)
    print('  called from recipients:')
    for k, v in below.most_common(10):
        print(f'    {v} {k}')
    print('  leaf frames:')
    for k, v in leaf.most_common(12):
        print(f'    {v} {k}')

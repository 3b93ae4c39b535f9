#!/usr/bin/env python3
"""Execution samples of a JFR file: shares of samples whose stack holds given frames, and the top frames.
   samples.py FILE.jfr [PATTERN...]"""
import collections, re, subprocess, sys, os
jfr = os.path.join(os.environ['JAVA_HOME'], 'bin', 'jfr')
text = subprocess.run([jfr, 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '96', sys.argv[1]],
                      capture_output=True, text=True).stdout
stacks = []
for block in text.split('jdk.ExecutionSample')[1:]:
    frames = re.findall(r'^\s+([\w$.<>/]+)\(', block.split('stackTrace = [', 1)[-1], re.M)
    stacks.append(frames)
n = len(stacks)
print(f'{n} execution samples')
patterns = sys.argv[2:] or ['dev.runnel.mercure', 'TemplateMatcher', 'Nfa', 'TopicSelector', 'SelectorCache',
    'SubscriberRegistry.recipients', 'PublishCombiner', 'FanOut', 'JwtVerifier', 'nimbusds', 'FormFields',
    'MercureHub.publish', 'MercureHub.subscribe', 'JettyTransport.write', 'ValueChannel', 'DueClock',
    'VirtualThread', 'ForkJoinPool', 'sun.nio.ch']
print('\n| frames containing | samples | share |\n|---|---:|---:|')
for p in patterns:
    c = sum(1 for s in stacks if any(p in f for f in s))
    print(f'| `{p}` | {c} | {100 * c / max(n, 1):.1f}% |')
top = collections.Counter(s[0] for s in stacks if s)
print('\n| top frame | samples | share |\n|---|---:|---:|')
for f, c in top.most_common(25):
    print(f'| `{f}` | {c} | {100 * c / n:.1f}% |')
runnel = collections.Counter(next((f for f in s if f.startswith('dev.runnel')), '(no dev.runnel frame)') for s in stacks)
print('\n| first dev.runnel frame from the top | samples | share |\n|---|---:|---:|')
for f, c in runnel.most_common(25):
    print(f'| `{f}` | {c} | {100 * c / n:.1f}% |')

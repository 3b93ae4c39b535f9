#!/usr/bin/env python3
"""Tables for bench/results/2026-12-03-hub-model.md from the raw outputs next to this file:
per metric, each run's figure, the median of the runs, and the ratio of two medians."""
import glob, os, re, statistics, sys

RAW = os.path.dirname(os.path.abspath(__file__))


def parse(path):
    """metric -> value; ('step', rate, 'p50'|'p99'|'deliveries') -> value (the step's last row)."""
    out = {}
    steps_header = False
    for line in open(path):
        m = re.match(r'RESULT server=\S+ metric="([^"]+)" value=([0-9.]+)', line)
        if m:
            out[m.group(1)] = float(m.group(2))
            o = re.search(r' other_cpu=(\d+)', line)
            if o and m.group(1).startswith('single events: server CPU'):
                out['other CPU during the single events (%)'] = float(o.group(1))
            continue
        if line.startswith('| publish/s asked'):
            steps_header = True
            continue
        if steps_header and re.match(r'\| [0-9.]+ \|', line):
            c = [x.strip() for x in line.strip().strip('|').split('|')]
            rate = c[0]
            out[('step', rate, 'deliveries/s')] = float(c[3])
            out[('step', rate, 'p50 (ms)')] = float(c[6])
            # a step that did not count (p99 over 1 s twice, or a loss) is marked with a *
            failed = float(c[7]) > 1000 or int(c[4]) + int(c[5]) > 0
            out[('step', rate, 'p99 (ms)')] = f'{float(c[7]):,.0f}*' if failed else float(c[7])
            if failed:
                out[('step', rate, 'p50 (ms)')] = f'{float(c[6]):,.0f}*'
                out[('step', rate, 'deliveries/s')] = f'{float(c[3]):,.0f}*'
            out[('step', rate, 'other CPU (%)')] = float(c[12].rstrip('%'))
            out[('step', rate, 'lost/dropped')] = int(c[4]) + int(c[5])
        m = re.match(r'# load before: ([0-9.]+) ([0-9.]+) ([0-9.]+)', line)
        if m:
            out['load before (1 min)'] = float(m.group(1))
        m = re.match(r'# load after: ([0-9.]+) ([0-9.]+) ([0-9.]+)', line)
        if m:
            out['load after (1 min)'] = float(m.group(1))
    return out


def runs(scenario, side):
    files = sorted(glob.glob(f'{RAW}/{scenario}-{side}-run*.txt'))
    return [parse(f) for f in files]


def fmt(v):
    if v is None:
        return '-'
    if isinstance(v, str):
        return v
    if v == int(v) and abs(v) < 1000:
        return f'{v:.0f}'
    if abs(v) >= 1000:
        return f'{v:,.0f}'
    if abs(v) >= 100:
        return f'{v:.0f}'
    return f'{v:.1f}' if abs(v) >= 10 else f'{v:.2f}'


def med(values):
    vals = [v for v in values if isinstance(v, float)]
    return statistics.median(vals) if len(vals) == len(values) and vals else None


def table(a_name, a_runs, b_name, b_runs, keys, ratio_label):
    n = max(len(a_runs), len(b_runs))
    head = ['metric'] + [f'{a_name} {i+1}' for i in range(len(a_runs))] + [f'{a_name} median'] \
        + [f'{b_name} {i+1}' for i in range(len(b_runs))] + [f'{b_name} median', ratio_label]
    print('| ' + ' | '.join(head) + ' |')
    print('|---|' + '---:|' * (len(head) - 1))
    for key, label in keys:
        a = [r.get(key) for r in a_runs]
        b = [r.get(key) for r in b_runs]
        if all(v is None for v in a + b):
            continue
        ma, mb = med(a), med(b)
        ratio = f'{mb / ma:.2f}' if ma and mb else 'n/a'
        print('| ' + ' | '.join([label] + [fmt(v) for v in a] + [fmt(ma)] + [fmt(v) for v in b] + [fmt(mb), ratio]) + ' |')
    print()


FANOUT = [
    ('single events: server CPU per delivery (us)', 'single events: server CPU per delivery (us)'),
    ('single event to all N: p50 over subscribers (ms)', 'single event to all 10,000: p50 (ms)'),
    ('single event to all N: p99 over subscribers (ms)', 'single event to all 10,000: p99 (ms)'),
    ('single event to all N: to the last one (ms)', 'single event to all 10,000: to the last (ms)'),
    ('deliveries/s, best step with p99 < 1 s and nothing lost', 'deliveries/s, best step with p99 < 1 s, nothing lost'),
    ('p99 at that step (ms)', 'p99 at that step (ms)'),
    ('other CPU during the single events (%)', 'other work on the machine during the single events (% of 2 cores)'),
]
RATES = ['1', '2', '5', '10', '20', '50', '100', '200']
STEPS = [(('step', r, m), f'step {r}/s: {m}') for r in RATES for m in ('p50 (ms)', 'p99 (ms)', 'other CPU (%)')]
IDLE = [(f'{what} per conn at {n} (KiB)', f'{what} per idle connection at {n:,} (KiB)')
        for n in (1000, 10000, 19000) for what in ('RSS', 'heap')]
IDLE = [(k.replace('1,000', '1000'), l) for k, l in IDLE]
LOAD = [('load before (1 min)', 'load average before (1 min)'), ('load after (1 min)', 'load average after (1 min)')]

which = sys.argv[1] if len(sys.argv) > 1 else 'all'
if which in ('all', 'fanout'):
    print('#### fanout-10k: before (b6de109) and after (7f5fa59)\n')
    table('before', runs('fanout-10k', 'before'), 'after', runs('fanout-10k', 'after'), FANOUT + STEPS + LOAD, 'after/before')
if which in ('all', 'idle'):
    print('#### idle: before (b6de109) and after (7f5fa59)\n')
    table('before', runs('idle', 'before'), 'after', runs('idle', 'after'), IDLE + LOAD, 'after/before')
if which in ('all', 'selectors'):
    print('#### exact topic (fanout-10k) against 10,000 distinct selectors, a new topic per publish (fanout-10k-selectors), both after\n')
    table('exact', runs('fanout-10k', 'after'), 'selectors', runs('fanout-10k-selectors', 'after'), FANOUT + STEPS + LOAD,
          'selectors/exact')

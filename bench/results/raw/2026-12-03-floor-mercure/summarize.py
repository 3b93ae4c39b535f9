#!/usr/bin/env python3
"""Tables of runs 1-3, medians and ratios of medians from the load tool's RESULT lines (raw files here)."""
import re, statistics, sys, os
from pathlib import Path

HERE = Path(__file__).parent
FIELD = re.compile(r'(\w+)=(?:"([^"]*)"|(\S+))')

def read(path):
    """metric -> (value, other_cpu) of one raw file, plus the load averages."""
    out = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        if line.startswith('# load before:'):
            out['load average before (1 min)'] = (float(line.split()[3]), None)
        elif line.startswith('# load after:'):
            out['load average after (1 min)'] = (float(line.split()[3]), None)
        elif line.startswith('RESULT ') and 'metric=' in line:
            f = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in FIELD.finditer(line[7:])}
            out[f['metric']] = (float(f['value']), f.get('other_cpu'))
            if f['metric'] == 'single events: server CPU per delivery (us)' and f.get('other_cpu') not in (None, 'n/a'):
                out['other work on the machine during the single events (% of 2 cores)'] = (float(f['other_cpu']), None)
    return out

def fmt(v):
    if v is None:
        return '-'
    a = abs(v)
    if a >= 10000:
        return f'{v:,.0f}'
    if a >= 100:
        return f'{v:.0f}'
    if a >= 10:
        return f'{v:.1f}'
    return f'{v:.2f}'

def table(scenario, targets, ratios, metrics, base=HERE):
    runs = {t: [read(base / scenario / f'{t}-run{n}.txt') for n in (1, 2, 3)] for t in targets}
    head = '| metric |' + ''.join(f' {t} 1 | {t} 2 | {t} 3 | {t} median |' for t in targets) + ''.join(f' {a}/{b} |' for a, b in ratios)
    rule = '|---|' + '---:|' * (4 * len(targets) + len(ratios))
    rows = [head, rule]
    for m in metrics:
        cells, med = [], {}
        for t in targets:
            vals = [r.get(m, (None,))[0] for r in runs[t]]
            cells += [fmt(v) for v in vals]
            got = [v for v in vals if v is not None]
            med[t] = statistics.median(got) if len(got) == 3 else None
            cells.append(fmt(med[t]))
        for a, b in ratios:
            cells.append(f'{med[a] / med[b]:.2f}' if med.get(a) and med.get(b) else 'n/a')
        rows.append(f'| {m} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(rows)

SINGLES = ['single events: server CPU per delivery (us)',
           'single event to all N: p50 over subscribers (ms)',
           'single event to all N: p99 over subscribers (ms)',
           'single event to all N: to the last one (ms)',
           'first single event after start: p99 over subscribers (ms)',
           'cold single events (first 3): median p99 over subscribers (ms)',
           'publish call, single events: p50 (ms)',
           'publish call, single events: p99 (ms)',
           'other work on the machine during the single events (% of 2 cores)']
RAMP = ['deliveries/s, best step with p99 < 1 s and nothing lost', 'p99 at that step (ms)']
B2B = ['1 publish in flight, back to back: publishes/s', '1 publish in flight, back to back: deliveries/s',
       '1 publish in flight, back to back: lost', '1 publish in flight, back to back: p50 (ms)',
       '1 publish in flight, back to back: p99 (ms)', '1 publish in flight, back to back: publish call p50 (ms)',
       '1 publish in flight, back to back: publish call p99 (ms)']
LOAD = ['load average before (1 min)', 'load average after (1 min)']

print('### fanout-10k\n')
print(table('fanout-10k', ['runnel', 'floor'], [('runnel', 'floor')], SINGLES + RAMP + LOAD))
print('\n### fanout-10k-1 (one publish in flight)\n')
print(table('fanout-10k-1', ['runnel', 'floor'], [('runnel', 'floor')], SINGLES + RAMP + B2B + LOAD))
print('\n### mercure-10k\n')
print(table('mercure-10k', ['runnel', 'mercure', 'mercure-templates'],
            [('mercure', 'runnel'), ('mercure-templates', 'mercure'), ('mercure-templates', 'runnel')], SINGLES + RAMP + LOAD))

def followup(targets, ratios, metrics, runs=(11, 12, 13)):
    data = {t: [read(HERE / f'profile-{t}-run{n}.txt') for n in runs] for t in targets}
    head = '| metric |' + ''.join(f' {t} {n} |' for t in targets for n in runs) + ''.join(f' {t} median |' for t in targets) \
        + ''.join(f' {a}/{b} |' for a, b in ratios)
    rows = [head, '|---|' + '---:|' * (len(targets) * (len(runs) + 1) + len(ratios))]
    for m in metrics:
        cells, med = [], {}
        for t in targets:
            vals = [r.get(m, (None,))[0] for r in data[t]]
            cells += [fmt(v) for v in vals]
            got = [v for v in vals if v is not None]
            med[t] = statistics.median(got) if len(got) == len(runs) else None
        cells += [fmt(med[t]) for t in targets]
        for a, b in ratios:
            cells.append(f'{med[a] / med[b]:.2f}' if med.get(a) and med.get(b) else 'n/a')
        rows.append(f'| {m} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(rows)

print('\n### follow-up: 40 single events per run, no recording (profile-TARGET-run11..13.txt)\n')
print(followup(['runnel', 'floor', 'mercure', 'mercure-templates'],
               [('runnel', 'floor'), ('mercure', 'runnel'), ('mercure-templates', 'mercure')],
               SINGLES + ['deliveries/s, best step with p99 < 1 s and nothing lost', 'p99 at that step (ms)'] + LOAD))

if (HERE / 'quiet').exists():
    print('\n### quiet: fanout-10k (sequence2.sh)\n')
    print(table('fanout-10k', ['runnel', 'floor'], [('runnel', 'floor')], SINGLES + RAMP + LOAD, HERE / 'quiet'))
    print('\n### quiet: fanout-10k-1 (sequence2.sh)\n')
    print(table('fanout-10k-1', ['runnel', 'floor'], [('runnel', 'floor')], SINGLES + RAMP + B2B + LOAD, HERE / 'quiet'))

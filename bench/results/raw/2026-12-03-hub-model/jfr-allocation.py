import json, subprocess, sys, collections
J='/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'
for f in sys.argv[1:]:
    d=json.loads(subprocess.run([J,'print','--json','--events','jdk.ThreadAllocationStatistics',f],capture_output=True,text=True).stdout)
    by=collections.defaultdict(list)
    for e in d['recording']['events']:
        v=e['values']; t=v.get('thread') or {}
        by[(t.get('javaThreadId'), t.get('javaName'))].append((v['startTime'], v['allocated']))
    total=0
    for k,l in by.items():
        l.sort(); total+=l[-1][1]-l[0][1]
    times=sorted({s for l in by.values() for s,_ in l})
    # GC count
    g=json.loads(subprocess.run([J,'print','--json','--events','jdk.GarbageCollection',f],capture_output=True,text=True).stdout)['recording']['events']
    print(f, 'threads', len(by), 'snapshots', len(times), 'allocated MB', round(total/1e6,1), 'GCs', len(g), 'GC pause ms', round(sum(float(str(e['values']['sumOfPauses']).rstrip('s').replace('PT','').rstrip('S') or 0) for e in g)*1000 if g else 0,1))

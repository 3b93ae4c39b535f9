import json, subprocess, sys, collections
J='/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'
for f in sys.argv[1:]:
    d=json.loads(subprocess.run([J,'print','--json','--stack-depth','64','--events','jdk.ExecutionSample',f],capture_output=True,text=True).stdout)
    ev=d['recording']['events']
    n=len(ev)
    cats=collections.Counter()
    tops=collections.Counter()
    for e in ev:
        frames=[fr['method']['type']['name']+'.'+fr['method']['name'] for fr in e['values']['stackTrace']['frames']]
        s=' '.join(frames)
        def has(x): return x in s
        if has('PublishCombiner') or has('FanOut'): c='publish + fan-out (PublishCombiner, FanOut)'
        elif has('DueClock'): c='DueClock (heartbeat clock)'
        elif has('StreamLifecycle') or has('ValueChannel') or has('JettyTransport'): c='writers (StreamLifecycle, ValueChannel, Jetty write)'
        elif has('SocketWatcher'): c='SocketWatcher'
        elif has('jfr'): c='JFR'
        elif has('VirtualThread') or has('ForkJoin') or has('Continuation'): c='virtual-thread scheduling'
        else: c='other'
        cats[c]+=1
        for x in ('SelectorCache','SubscriberRegistry.recipients','TopicStore.buffer','ReplayBudget','Replays','StreamObserver','TopicStore.joinAll','HubEvent.<init>','Formatted'):
            if x in s: tops[x]+=1
    print(f, 'samples', n)
    for c,v in cats.most_common(): print(f'  {c}: {v} ({100*v/n:.0f}%)')
    print('  frames of the hub model:', dict(tops))

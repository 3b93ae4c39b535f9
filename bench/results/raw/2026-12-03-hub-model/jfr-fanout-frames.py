import json, subprocess, sys, collections, os
RUNS=[int(x) for x in os.environ.get("RUNS","1 2").split()]
J='/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'
for side in ('before','after'):
    leaf=collections.Counter(); obs=collections.Counter(); n=0; pub=0
    for r in RUNS:
        f=f'/tmp/profile-{side}-run{r}.jfr'
        d=json.loads(subprocess.run([J,'print','--json','--stack-depth','64','--events','jdk.ExecutionSample',f],capture_output=True,text=True).stdout)
        for e in d['recording']['events']:
            n+=1
            frames=[fr['method']['type']['name'].split('.')[-1]+'.'+fr['method']['name'] for fr in e['values']['stackTrace']['frames']]
            s=' '.join(frames)
            if 'PublishCombiner' in s or 'FanOut' in s:
                pub+=1
                # the first runnel frame from the leaf, and the leaf
                rn=next((x for x in frames if x.split('.')[0] in ('FanOut','FanOut$Part','PublishCombiner','ValueChannel','Subscriber','TopicStore','SubscriberRegistry','HubEvent','ReplayBudget','DueClock')), '?')
                leaf[(rn, frames[0])]+=1
            for x in frames:
                if x.startswith('StreamObserver'):
                    obs[x]+=1; break
    print(side, 'samples', n, 'publish+fanout', pub)
    for k,v in leaf.most_common(14): print('   ',v,k)
    print('  StreamObserver', dict(obs))

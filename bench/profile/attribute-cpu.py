"""Where the CPU of a sampled thread-time trace went, by component (docs/benchmarks.md, "Profile").

Usage: dotnet-trace convert bench.nettrace --format speedscope -o bench
       python3 bench/profile/attribute-cpu.py bench.speedscope.json
A sample counts as busy when its leaf is CPU_TIME (the thread ran managed code); it is filed under the component whose frame
is nearest the leaf. Components are matched by namespace.
"""
import json,collections,re,sys
d=json.load(open(sys.argv[1]))
frames=[f['name'] for f in d['shared']['frames']]
WAIT=re.compile(r'Wait|Sleep|Interop\+Sys\.Read\b|LowLevelLifoSemaphore|SpinWait|WaitForSocketEvents|EventLoop|Finalize|RunFinalizers|Thread\.Join|Missing Symbol|UNMANAGED_CODE_TIME')
cats=[('Simulator','QlikBackup.Qlik.Simulator'),('DurableTask (sidecar/worker)','DurableTask'),('gRPC','Grpc'),('Kestrel/AspNetCore','AspNetCore'),('Azure SDK','Azure.'),('QlikBackup.Core','QlikBackup.Core'),('QlikBackup.Qlik client','QlikBackup.Qlik.Rest'),('QlikBackup.Qlik engine','QlikBackup.Qlik.Engine'),('QlikBackup.Functions','QlikBackup.Functions'),('System.Text.Json','System.Text.Json'),('Crypto','Cryptography'),('Http','System.Net.Http'),('JIT/Tiering','TieredCompilation')]
tot=0; busy=0; by=collections.Counter(); onstack=collections.Counter()
def account(stack,dt):
    global tot,busy
    tot+=dt
    if not stack: return
    names=[frames[i] for i in stack]
    if WAIT.search(names[-1]): return
    busy+=dt
    for l in {l for l, pat in cats if any(pat in n for n in names)}: onstack[l]+=dt
    # the deepest frame (nearest the leaf) that names a component owns the sample
    owner='other'
    for n in reversed(names[:-1]):
        hit=[l for l,pat in cats if pat in n]
        if hit: owner=hit[0]; break
    by[owner]+=dt
for p in d['profiles']:
    stack=[]; last=None
    for e in p['events']:
        if last is not None and e['at']>last: account(stack,e['at']-last)
        last=e['at']
        if e['type']=='O': stack.append(e['frame'])
        else:
            if stack: stack.pop()
print('thread-ms',round(tot),'busy',round(busy), round(100*busy/max(tot,1),1),'%')
for k,v in by.most_common(): print(f'{k:30s} {100*v/busy:5.1f}% of busy (nearest the leaf)')
print('--- on the stack of busy samples (components overlap)')
for k,v in onstack.most_common(): print(f'{k:30s} {100*v/busy:5.1f}% of busy')

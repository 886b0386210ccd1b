#!/usr/bin/env python3
"""Where an exhaustive search's time goes, from a dotnet-trace sample (bench/README.md, "SPIN side by side").

    dotnet tool install --tool-path /tmp/dt dotnet-trace
    /tmp/dt/dotnet-trace collect --profile dotnet-sampled-thread-time -o /tmp/search.nettrace -- \
        dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll --spin-paxos 1 loss exact
    /tmp/dt/dotnet-trace convert --format Speedscope -o /tmp/search /tmp/search.nettrace
    python3 bench/spin/profile-breakdown.py /tmp/search.speedscope.json

Each on-CPU sample of the search thread (a stack under SystematicTester.Explore's inner loop) goes to the innermost
of the groups below found on its stack; samples off the CPU are left out.
"""
import json, sys, collections
d = json.load(open(sys.argv[1]))
frames = [f['name'] for f in d['shared']['frames']]
buckets = collections.OrderedDict([
    ('clone a new state (World.Clone: World ctor, Monitor.Fork, SpecState copy)', ['].Clone()', 'Monitor`1[System.__Canon].Fork', 'SpecState..ctor', 'Monitor`1[System.__Canon]..ctor(class Verification.Specs.Monitor', '..ctor(class Verification.Runtime.Protocol`5']),
    ('copy into the scratch world (CopyFrom)', ['CopyFrom', 'CopySystemFrom']),
    ('node-contract check (ObjectGraphHash)', ['ObjectGraphHash']),
    ('spec monitor (Append: step, properties)', ['Monitor`1[System.__Canon].Append', 'CheckStepProperties', 'CheckInvariants']),
    ('apply: handler call + effects (not contract, not spec)', ['].Apply(']),
    ('WriteKey + value numbering', ['WriteKey']),
    ('visited-set add', ['VisitedStates.Add']),
    ('enumerate enabled actions', ['].Enumerate(']),
])
def bucket(stack):
    for x in reversed(stack):
        for k, pats in buckets.items():
            if any(pt in x for pt in pats): return k
    return 'explore loop itself (frontier, paths, choices, ToArray)'
total = collections.Counter(); suspended = 0.0
for p in d['profiles']:
    stack = []; last = None
    for e in p['events']:
        t = e['at']
        if last is not None and stack and any('Explore(int32,int64,int32,value class Verification.Checkers.Systematic.SearchOrder,value class Verification.Checkers.Systematic.VisitedStore,class' in frames[f] for f in stack):
            names = [frames[f] for f in stack]
            if names[-1] != 'CPU_TIME': suspended += t - last
            else: total[bucket(names)] += t - last
        if e['type'] == 'O': stack.append(e['frame'])
        else: stack.pop()
        last = t
n = sum(total.values())
print(f'search thread: {n/1000:.1f} s working, {suspended/1000:.1f} s not on a CPU (waiting, descheduled), left out')
for k, v in total.most_common():
    print(f'{100*v/n:5.1f}%  {k}')

#!/usr/bin/env python3
"""Compares compose-ports' reading of real Compose files with docker-compose 1.29's.

    scripts/compose-oracle.py PROJECT_DIR...

For every Compose file under the given project folders (override files aside), runs
`docker-compose -f FILE config` with every profile the file names enabled, and
preflight's compose-ports probe on that file alone, and compares the published port
bindings (host address, host port, container port, protocol). Prints the agreement and
each difference. Needs docker-compose 1.29 (Debian's `docker-compose` package) and
PyYAML; PREFLIGHT names the binary (default target/release/preflight).
"""
import subprocess, json, os, re, sys, glob, tempfile
import yaml
roots = [os.path.join(os.path.abspath(r), '') for r in sys.argv[1:]]
if not roots:
    sys.exit(__doc__)
files = []
for r in roots:
    for dp, dn, fn in os.walk(r):
        dn[:] = [d for d in dn if d not in ('.git', 'node_modules')]
        for f in fn:
            if re.match(r'^(docker-)?compose[^/]*\.ya?ml$', f) and 'override' not in f:
                files.append(os.path.join(dp, f))
print(len(files), 'files', file=sys.stderr)
BIN = os.environ.get('PREFLIGHT', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'target', 'release', 'preflight'))
def expand(ip, pub, tgt, proto):
    out = set()
    def rng(x):
        if x is None or x == '': return [None]
        x = str(x)
        if '-' in x:
            a, b = x.split('-'); return list(range(int(a), int(b) + 1))
        return [int(x)]
    pubs, tgts = rng(pub), rng(tgt)
    if len(pubs) == len(tgts):
        pairs = zip(pubs, tgts)
    elif pubs == [None]:
        pairs = [(None, t) for t in tgts]
    else:
        pairs = [(p, tgts[0]) for p in pubs]
    for p, t in pairs:
        out.add(f"{ip or '0.0.0.0'}:{p if p is not None else '*'}->{t}/{proto or 'tcp'}")
    return out
results = []
for f in files:
    d = os.path.dirname(f)
    proj = next(r for r in roots if f.startswith(r))
    rel = os.path.relpath(f, proj)
    # oracle
    try:
        profiles = set()
        try:
            raw = yaml.safe_load(open(f)) or {}
            for svc in (raw.get('services') or {}).values():
                for pr_ in (svc or {}).get('profiles') or []:
                    profiles.add(str(pr_))
        except Exception:
            pass
        prof_args = [a for p_ in sorted(profiles) for a in ('--profile', p_)]
        out = subprocess.run(['docker-compose', '-f', f, '--project-directory', d] + prof_args + ['config'], capture_output=True, text=True, timeout=30, env={'PATH': os.environ['PATH'], 'HOME': '/tmp'})
    except subprocess.TimeoutExpired:
        results.append((f, 'oracle-timeout', None, None)); continue
    if out.returncode != 0:
        oracle = ('error', out.stderr.strip().splitlines()[-1][:200] if out.stderr.strip() else '')
    else:
        cfg = yaml.safe_load(out.stdout) or {}
        s = set()
        for name, svc in (cfg.get('services') or {}).items():
            for p in (svc or {}).get('ports') or []:
                if isinstance(p, dict):
                    s |= expand(p.get('host_ip'), p.get('published'), p.get('target'), p.get('protocol'))
                else:
                    m = re.match(r'^(?:(.*):)?(\d+(?:-\d+)?)?:(\d+(?:-\d+)?)(?:/(\w+))?$', str(p))
                    if m:
                        s |= expand(m.group(1), m.group(2), m.group(3), m.group(4))
                    else:
                        s.add('RAW:' + str(p))
        oracle = ('ok', s)
    # preflight
    ck = os.path.join(tempfile.gettempdir(), 'compose-oracle-checklist.toml')
    open(ck, 'w').write(f'[checklist]\nid="o"\ntitle="o"\nversion="1"\n[[item]]\nid="p"\ntier="critical"\ntitle="p"\nrationale="r"\nremediation="r"\n[[item.probe]]\nkind="compose-ports"\nfiles=[{json.dumps(rel)}]\n')
    pf = subprocess.run([BIN, 'check', '--dir', proj, '--checklist', ck, '--format', 'json'], capture_output=True, text=True, timeout=60, env={'PATH': os.environ['PATH'], 'HOME': '/tmp'})
    try:
        j = json.loads(pf.stdout)
        pr = j['items'][0]['probes'][0]
        s = set(); errs = []
        for e in pr['evidence']:
            shown = e.get('file')
            # A path part equal to a registered secret is masked in evidence.
            if shown is not None and not re.fullmatch(
                re.escape(shown).replace(re.escape('********'), '[^/]*'), rel
            ):
                continue
            m = re.search(r'→ (\[?[0-9a-fA-F:.]+\]?|[^ ]+?):(\d+(?:-\d+)?|\*|\(any free port\)|)->(\d+(?:-\d+)?)/(\w+)', e['message'])
            if m:
                ip = m.group(1).strip('[]')
                s |= expand(ip, m.group(2) if m.group(2) not in ('', '*', '(any free port)') else None, m.group(3), m.group(4))
            elif pr['status'] == 'error' or 'must' in e['message'] or 'invalid' in e['message'] or 'cannot' in e['message']:
                errs.append(e['message'][:160])
        pre = ('error', errs) if pr['status'] == 'error' and not s else ('ok', s)
        pre_status = pr['status']
    except Exception as ex:
        pre = ('crash', str(ex) + pf.stderr[:200]); pre_status = '?'
    results.append((f, oracle, pre, pre_status))
agree = 0; diffs = []
for f, o, p, st in results:
    if o == 'oracle-timeout': diffs.append((f, 'timeout', '')); continue
    if o[0] == 'ok' and p[0] == 'ok' and o[1] == p[1]: agree += 1
    elif o[0] == 'error' and p[0] == 'error': agree += 1
    else: diffs.append((f, o, p))
print(f"{len(results)} files, {agree} agree, {len(diffs)} differ")
for f, o, p in diffs:
    print('---', f)
    print('  oracle:', o if o[0]=='error' else sorted(o[1])[:8])
    print('  preflight:', p if p[0]!='ok' else sorted(p[1])[:8])

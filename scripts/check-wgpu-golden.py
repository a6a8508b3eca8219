"""`hir forward` / `hir grad --backend wgpu` directly against the PyTorch golden values of
tests/golden/*/expected.safetensors (the tests compare wgpu with the CPU and the CPU with
PyTorch; this prints the direct distance). Needs numpy and safetensors and a GPU adapter
(lavapipe works).

    [HIR=target/debug/hir] python3 scripts/check-wgpu-golden.py

Exits 1 when a logit differs by more than 1e-4 or a gradient by more than 1e-4·max(1, max|g|).
"""
import subprocess, sys, os, tempfile, numpy as np
from safetensors.numpy import load_file
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
hir = os.environ.get('HIR', root + '/target/debug/hir')
bad = 0
tmp = tempfile.mkdtemp()
for case in sorted(os.listdir(root + '/tests/golden')):
    d = f'{root}/tests/golden/{case}'
    if not os.path.isfile(d + '/expected.safetensors'): continue
    exp = load_file(d + '/expected.safetensors')
    ids = ','.join(str(int(x)) for x in exp['input_ids'].reshape(-1))
    out = {}
    for cmd in ('forward', 'grad'):
        f = f'{tmp}/{case}-{cmd}.safetensors'
        subprocess.run([hir, cmd, '--model', d, '--ids', ids, '--output', f, '--backend', 'wgpu'], check=True, capture_output=True)
        out[cmd] = load_file(f)
    lg = np.abs(out['forward']['logits'] - exp['logits'].reshape(out['forward']['logits'].shape)).max()
    g = out['grad']; worst = 0.0; n = 0
    for k, v in g.items():
        ek = 'grad.' + k
        if ek not in exp: continue
        n += 1
        e = exp[ek]
        worst = max(worst, float(np.abs(v - e.reshape(v.shape)).max() / max(1.0, np.abs(e).max())))
    ld = abs(float(g['loss'].reshape(-1)[0]) - float(exp['loss'].reshape(-1)[0])) if 'loss' in g and 'loss' in exp else float('nan')
    bad += (lg > 1e-4) + (worst > 1e-4)
    print(f'{case}: logits max|Δ| {lg:.2e}, loss |Δ| {ld:.2e}, {n} gradients worst |Δ|/max(1,max|g|) {worst:.2e}')
sys.exit(1 if bad else 0)

// Times @marcbachmann/cel-js on the benchmark cases, for `compare`.
//
// Reads {cases: [{id, expr, expect}], warm_up_ms, batch_ms, batches} as JSON on stdin and
// prints one JSON line per case: {id, eval_ns, parse_ns, compile_ns} or {id, error}. The
// variables are the ones celd-bench's `celd_vars` builds, in this engine's natural form (ints
// as BigInt, doubles as Number). Timing follows compare's `measure`: a warm-up, then the
// median of timed batches. `compile` is parse plus type check (what celd's compile does
// before planning); `parse` alone is reported too, since this engine checks lazily on the
// first evaluation otherwise.

import {Environment} from '@marcbachmann/cel-js'
import {readFileSync} from 'node:fs'

const N_ITEMS = 100

function environment() {
  return new Environment()
    .registerVariable('x', 'int')
    .registerVariable('y', 'int')
    .registerVariable('z', 'int')
    .registerVariable('age', 'int')
    .registerVariable('a', 'map<string, dyn>')
    .registerVariable('name', 'string')
    .registerVariable('roles', 'list<string>')
    .registerVariable('s', 'string')
    .registerVariable('items', 'list<map<string, dyn>>')
    .registerVariable('request', 'map<string, dyn>')
}

function variables() {
  const items = []
  for (let k = 0; k < N_ITEMS; k++) items.push({name: `item${k}`, price: k + 0.0})
  return {
    x: 1n, y: 2n, z: 3n, age: 30n,
    a: {b: {c: 'hello'}},
    name: 'jane',
    roles: ['user', 'admin'],
    s: 'hello',
    items,
    request: {auth: {claims: {groups: ['user', 'dev', 'admin'], sub: 'jane'}}}
  }
}

/** A result in celd's CEL syntax, to check it against the case's expected text. */
function celText(value) {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map(celText).join(', ')}]`
  return `unexpected ${typeof value}: ${String(value)}`
}

/** Nanoseconds per call of `f`: the median over timed batches after a warm-up. */
function measure(f, {warm_up_ms, batch_ms, batches}) {
  const start = process.hrtime.bigint()
  const warmUp = BigInt(warm_up_ms) * 1_000_000n
  let n = 0
  while (process.hrtime.bigint() - start < warmUp) {
    f()
    n++
  }
  const perCall = (warm_up_ms * 1e6) / Math.max(n, 1)
  const iters = Math.max(1, Math.floor((batch_ms * 1e6) / perCall))
  const samples = []
  for (let b = 0; b < batches; b++) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < iters; i++) f()
    samples.push(Number(process.hrtime.bigint() - t) / iters)
  }
  samples.sort((p, q) => p - q)
  return samples[Math.floor(batches / 2)]
}

function runCase(env, vars, {id, expr, expect}, timing) {
  const program = env.parse(expr)
  const checked = program.check()
  if (!checked.valid) return {id, error: `check: ${checked.error?.message ?? checked.error}`}
  const got = celText(program(vars))
  if (got !== expect) return {id, error: `returned ${got}`}
  let sink = 0
  const eval_ns = measure(() => { sink ^= program(vars) === undefined }, timing)
  const parse_ns = measure(() => { sink ^= env.parse(expr) === undefined }, timing)
  const compile_ns = measure(() => { sink ^= env.parse(expr).check().valid === false }, timing)
  if (sink) process.stderr.write('')
  return {id, eval_ns, parse_ns, compile_ns}
}

const request = JSON.parse(readFileSync(0, 'utf8'))
const env = environment()
const vars = variables()
for (const c of request.cases) {
  let row
  try {
    row = runCase(env, vars, c, request)
  } catch (e) {
    row = {id: c.id, error: String(e?.message ?? e).split('\n')[0]}
  }
  process.stdout.write(JSON.stringify(row) + '\n')
}

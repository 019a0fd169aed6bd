#!/usr/bin/env python3
# A strict parser of the Prometheus text exposition format 0.0.4, for
# tests where promtool is not installed. It refuses: a line of no form, a
# bad metric or label name, a label value with an escape other than \\ \"
# \n, a value that is no float, a sample before its family's TYPE, two
# TYPE or HELP lines for one family, a family's samples split apart, the
# same series twice, a negative counter, a counter not named *_total, a
# histogram without a +Inf bucket or with buckets that are not cumulative
# or le values that do not grow, _count other than the +Inf bucket, and
# text that does not end in a newline. Exit 0 with a summary, else 1
# naming the line.
#
#   promtext.py FILE
import math
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
SAMPLE = re.compile(r'^(' + NAME + r')(\{(.*)\})? (\S+)( -?[0-9]+)?$')
PAIR = re.compile(r'(' + LABEL + r')="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
TYPES = ('counter', 'gauge', 'histogram', 'summary', 'untyped')


def fail(n, line, why):
    print('line %d: %s: %r' % (n, why, line))
    sys.exit(1)


def value(s):
    if s in ('+Inf', 'Inf'):
        return math.inf
    if s == '-Inf':
        return -math.inf
    if s == 'NaN':
        return math.nan
    if not re.fullmatch(r'[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?', s):
        raise ValueError(s)
    return float(s)


def labels(s, n, line):
    out = {}
    rest = s
    while rest:
        m = PAIR.match(rest)
        if not m:
            fail(n, line, 'bad labels')
        if m.group(1) in out:
            fail(n, line, 'label %s twice' % m.group(1))
        out[m.group(1)] = m.group(2)
        rest = rest[m.end():]
    return out


def family_of(name, types):
    for suffix in ('_bucket', '_sum', '_count'):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) in ('histogram', 'summary'):
            return base
    return name


def main(path):
    text = open(path, encoding='utf-8').read()
    if not text.endswith('\n'):
        fail(0, text[-40:], 'no newline at the end')
    types, helps, done, series = {}, set(), set(), set()
    current = None
    hist = {}  # (family, labels without le) -> [(le, count)]
    counts = {}
    samples = 0
    for n, line in enumerate(text.split('\n')[:-1], 1):
        if line.startswith('#'):
            m = re.match(r'^# (HELP|TYPE) (' + NAME + r') (.*)$', line)
            if not m:
                if line.startswith('# HELP') or line.startswith('# TYPE'):
                    fail(n, line, 'bad HELP or TYPE line')
                continue
            kind, name, rest = m.groups()
            if kind == 'TYPE':
                if rest not in TYPES:
                    fail(n, line, 'unknown type')
                if name in types:
                    fail(n, line, 'second TYPE')
                if name in done or name == current:
                    fail(n, line, 'TYPE after its samples')
                types[name] = rest
            else:
                if name in helps:
                    fail(n, line, 'second HELP')
                helps.add(name)
            continue
        if not line.strip():
            fail(n, line, 'empty line')
        m = SAMPLE.match(line)
        if not m:
            fail(n, line, 'not a sample')
        name, _, lab, val = m.group(1), m.group(2), m.group(3), m.group(4)
        fam = family_of(name, types)
        if fam not in types:
            fail(n, line, 'sample before its TYPE')
        if fam != current:
            if fam in done:
                fail(n, line, 'samples of %s apart' % fam)
            if current:
                done.add(current)
            current = fam
        ls = labels(lab or '', n, line)
        key = (name, tuple(sorted(ls.items())))
        if key in series:
            fail(n, line, 'series twice')
        series.add(key)
        try:
            v = value(val)
        except ValueError:
            fail(n, line, 'not a float')
        samples += 1
        t = types[fam]
        if t == 'counter':
            if not fam.endswith('_total'):
                fail(n, line, 'a counter not named *_total')
            if not v >= 0:
                fail(n, line, 'a negative counter')
        if t == 'histogram':
            rest = tuple(sorted((k, x) for k, x in ls.items() if k != 'le'))
            if name.endswith('_bucket'):
                if 'le' not in ls:
                    fail(n, line, 'a bucket without le')
                b = hist.setdefault((fam, rest), [])
                le = value(ls['le'])
                if b and (le <= b[-1][0] or v < b[-1][1]):
                    fail(n, line, 'buckets not cumulative or le not growing')
                b.append((le, v))
            elif name.endswith('_count'):
                counts[(fam, rest)] = v
    if current:
        done.add(current)
    for key, b in hist.items():
        if not b or b[-1][0] != math.inf:
            fail(0, key, 'no +Inf bucket')
        if counts.get(key) != b[-1][1]:
            fail(0, key, '_count is not the +Inf bucket')
    print('%d families, %d samples' % (len(types), samples))


if __name__ == '__main__':
    main(sys.argv[1])

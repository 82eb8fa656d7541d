# SPDX-License-Identifier: BSD-2-Clause
"""Record-by-record comparison of Kafka records with nfdump's own output.

A decoded record is a dict of typed values (cbor2: datetime for tag 1,
IPv4Address/IPv6Address for tags 52/54, int, float, str); nfdump prints
text. Each value is compared in its own type, so a wrong type fails too.
"""
import datetime
import ipaddress

import nfdump_ref


def _parse_time(text):
    if text.replace('.', '', 1).isdigit():
        # %tsr-style epoch seconds ('1796164782.298'), or csv-fast's
        # milliseconds ('1796165250972').
        sec = float(text) if '.' in text or len(text) < 12 else int(text) / 1000
        return datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    for fmt in ('%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S'):
        try:
            return datetime.datetime.strptime(text, fmt).replace(
                tzinfo=datetime.timezone.utc)
        except ValueError:
            pass
    raise AssertionError('not an nfdump time: %r' % text)


def _number(text):
    """nfdump's number; the 1.8 beta prints a zero duration as a time."""
    return 0.0 if text == '00:00:00.000' else float(text)


# Texts that fit no value of their field's type, which nfkafka sends as null
# (nfkafka(8), RECORD FORMAT): nfdump 1.7.8's %tevt of a flow without one.
NOT_FITTING = {'0000-00-00 00:00:00.000'}


def value_matches(value, text):
    """Does the typed value say what nfdump printed as text?"""
    if value is None:
        return text in NOT_FITTING
    if isinstance(value, bool):
        return False
    if isinstance(value, datetime.datetime):
        delta = abs((value - _parse_time(text)).total_seconds())
        return delta < 0.0005
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value == ipaddress.ip_address(text)
    if isinstance(value, int):
        try:
            return value == _int_text(text)
        except ValueError:
            return False
    if isinstance(value, float):
        return abs(value - _number(text)) <= 1e-9 * max(1.0, abs(value))
    return isinstance(value, str) and value == text


def _int_text(text):
    """The integer nfkafka sends for an integer field's text: ICMP's
    "type.code" in a port column is type * 256 + code; hex is its number."""
    if text.count('.') == 1 and text.replace('.', '').isdigit():
        t, c = text.split('.')
        return int(t) * 256 + int(c) if c else None
    if text.startswith('0x'):
        return int(text, 16)
    return int(text)


def _canon(value):
    """A sort key for a typed value, equal to _canon_text of its text."""
    if isinstance(value, datetime.datetime):
        return (0, round(value.timestamp() * 1000))
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return (1, str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (2, round(float(value), 6))
    return (3, str(value))


def _canon_text(text, like):
    """The sort key of nfdump's text, typed as the record's value is."""
    try:
        if isinstance(like, datetime.datetime):
            return (0, round(_parse_time(text).timestamp() * 1000))
        if isinstance(like, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            return (1, str(ipaddress.ip_address(text)))
        if isinstance(like, int) and not isinstance(like, bool):
            return (2, round(float(_int_text(text)), 6))
        if isinstance(like, float):
            return (2, round(_number(text), 6))
    except (AssertionError, ValueError):
        pass
    return (3, text)


def _texts(row, names):
    return row if isinstance(row, dict) else dict(zip(names, row))


def _sorted_pair(records, rows, names):
    """Both sides in one order: nfdump 1.7.8 prints with several threads,
    so two runs over the same window can order the same rows differently."""
    if not records:
        return records, rows
    like = records[0]
    keyed_rows = sorted(rows, key=lambda r: [
        _canon_text(t, like.get(n)) for n, t in _texts(r, names).items()])
    keyed_recs = sorted(records, key=lambda r: [_canon(v) for v in r.values()])
    return keyed_recs, keyed_rows


def assert_rows_match(records, rows, names, ordered=None):
    """records: decoded dicts in Kafka order; rows: nfdump rows (lists of
    text in names' order, or dicts keyed like the records).  ordered: the
    order must be the same; by default where the nfdump on PATH prints in a
    fixed order (1.7.1), else as sets (1.7.8)."""
    assert len(records) == len(rows), \
        'Kafka has %d records, nfdump printed %d rows' % (len(records), len(rows))
    if ordered is None:
        ordered = nfdump_ref.prints_in_order()
    if not ordered:
        records, rows = _sorted_pair(records, rows, names)
    for i, (rec, row) in enumerate(zip(records, rows)):
        if isinstance(row, dict):
            texts = row
        else:
            assert len(row) == len(names), 'row %d: %r' % (i, row)
            texts = dict(zip(names, row))
        assert list(rec.keys()) == list(texts.keys()), \
            'record %d fields %s, expected %s' % (i, list(rec), list(texts))
        for name, text in texts.items():
            assert value_matches(rec[name], text), \
                'record %d field %s: Kafka %r, nfdump %r' % (i, name, rec[name], text)


def one_type_per_field(records):
    """{field: python type}; fails on a second type or on a null."""
    seen = {}
    for i, r in enumerate(records):
        for k, v in r.items():
            assert v is not None, 'record %d field %s is null' % (i, k)
            t = type(v).__name__
            if isinstance(v, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
                t = 'address'
            assert seen.setdefault(k, t) == t, \
                'field %s is %s in record %d, %s before' % (k, t, i, seen[k])
    return seen

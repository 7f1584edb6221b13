"""RFC 6675's scoreboard functions on hand-made SACK blocks, against the RFC's definitions
worked out by hand (section 4: IsLost, SetPipe, NextSeg rule 1; DupThresh 3, SMSS 1000)."""

from __future__ import annotations

from netutil.sim.congestion.scoreboard import Scoreboard

SMSS = 1000


def _board(*blocks):
    board = Scoreboard(SMSS)
    board.add(tuple(blocks))
    return board


def test_blocks_merge_into_disjoint_ranges():
    board = _board((5000, 6000), (3000, 4000), (4000, 4500), (7000, 8000), (7500, 9000))
    assert board.ranges == [[3000, 4500], [5000, 6000], [7000, 9000]]
    board.advance(5500)  # a cumulative ACK covers the first range and half the second
    assert board.ranges == [[5500, 6000], [7000, 9000]]


def test_is_lost_and_pipe_by_the_rfc_definitions():
    # HighACK 0, HighData 10000; SACKed 3000-4000, 5000-6000, 7000-8000.
    # Hole 0-3000: 3 SACKed ranges above (>= DupThresh): lost. Hole 4000-5000: 2 ranges,
    # 2000 bytes above (not more than (DupThresh - 1) * SMSS = 2000): not lost. 6000-7000 and
    # 8000-10000: not lost. SetPipe with nothing resent: 1000 + 1000 + 2000 = 4000.
    board = _board((3000, 4000), (5000, 6000), (7000, 8000))
    holes = board.holes(0, 10_000)
    assert [(s, e) for s, e, _, _ in holes] == [(0, 3000), (4000, 5000), (6000, 7000),
                                               (8000, 10_000)]  # fmt: skip
    assert [board.is_lost(b, n) for _, _, b, n in holes] == [True, False, False, False]
    assert board.set_pipe(0, 10_000) == 4000
    # NextSeg rule 1: the first lost byte above HighRxt, one SMSS of it
    assert board.next_lost(0, 10_000) == (0, 1000)
    # once 0-1000 is resent (HighRxt 1000) it counts in pipe again: 1000 + 4000
    board.high_rxt = 1000
    assert board.set_pipe(0, 10_000) == 5000
    assert board.next_lost(0, 10_000) == (1000, 1000)


def test_more_than_two_smss_sacked_above_is_lost_too():
    # one SACKed range of 2001 bytes above the hole: more than (DupThresh - 1) * SMSS
    board = _board((1000, 3001))
    (start, end, above, count), _ = board.holes(0, 4000)
    assert (start, end, above, count) == (0, 1000, 2001, 1)
    assert board.is_lost(above, count)
    assert not _board((1000, 3000)).is_lost(2000, 1)


def test_send_due_keeps_pipe_within_cwnd():
    # RFC 6675 5 (C): while cwnd - pipe >= SMSS, send NextSeg. Pipe 4000 (above), cwnd 6000:
    # two lost segments fit (0-1000 and 1000-2000), then pipe is 6000
    board = _board((3000, 4000), (5000, 6000), (7000, 8000))
    pipe = board.send_due(6000, 0, 10_000)
    assert board.take_retransmissions(0) == ((0, 1000), (1000, 1000))
    assert pipe == 6000 and board.high_rxt == 2000

#!/usr/bin/env python3
"""Readers written only from shm-client/LAYOUT.md, to prove the document suffices.

usage: layout_reader.py <segment-name> <uid>
prints: generation block neuron_count tempo stake(uid) uid_found_by_hotkey commitment_count
        mechanism_count, then one line per mechanism m < mechanism_count:
        m flags emission_share incentive(uid) last_update(uid)

usage: layout_reader.py queue <queue-segment-name> <slot>
prints: generation producer_slots ring_capacity state head drained durable, then one line per
        entry of the slot not yet drained: seq uid weight mechanism
"""
import mmap
import struct
import sys


def open_segment(name):
    with open("/dev/shm/" + name, "rb") as f:
        return mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)


def check_header(m, what, magic_wanted, abi_wanted, header_wanted):
    """The common header (LAYOUT.md): magic, ABI, header size, segment size; returns the generation."""
    magic, abi, header_size, segment_size, generation = struct.unpack_from("<QIIQQ", m, 0)
    if magic != magic_wanted:
        sys.exit(f"not a Pylon {what} segment")
    if abi != abi_wanted:
        sys.exit(f"{what} segment has ABI version {abi} but this reader speaks ABI version {abi_wanted}")
    if header_size != header_wanted or segment_size > len(m):
        sys.exit(f"bad {what} header")
    return generation


def read_queue(name, slot):
    q = open_segment(name)
    a = open_segment(name + "-ack")
    generation = check_header(q, "weight-queue", 0x455551574E4C5950, 3, 192)
    slots, capacity, entry_size, stride, slots_offset = struct.unpack_from("<IIIIQ", q, 32)
    amagic, aabi, aheader, asize, agen, aslots, astride, aoffset = struct.unpack_from("<QIIQQIIQ", a, 0)
    if amagic != 0x4B4341574E4C5950 or aabi != 3 or aheader != 192 or asize > len(a):
        sys.exit("bad ack header")
    if agen != generation or aslots != slots:
        sys.exit("ack segment of another generation")
    state = struct.unpack_from("<I", a, 64)[0]
    ctl = slots_offset + slot * stride
    head = struct.unpack_from("<Q", q, ctl + 64)[0]
    drained, = struct.unpack_from("<Q", a, aoffset + slot * astride)
    durable, = struct.unpack_from("<Q", a, aoffset + slot * astride + 64)
    print(generation, slots, capacity, state, head, drained, durable)
    for pos in range(drained, head):
        cell = ctl + 128 + (pos % capacity) * entry_size
        stamp, weight = struct.unpack_from("<Qd", q, cell)
        uid, key_kind, op, _epoch, mechanism = struct.unpack_from("<HBBIB", q, cell + 48)
        if stamp == pos + 1 and key_kind == 1:
            print(stamp, uid, weight, mechanism)


def main():
    if sys.argv[1] == "queue":
        read_queue(sys.argv[2], int(sys.argv[3]))
        return
    name, uid = sys.argv[1], int(sys.argv[2])
    m = open_segment(name)
    generation = check_header(m, "snapshot", 0x50414E534E4C5950, 2, 256)
    slot_count, slot_size, slots_offset = struct.unpack_from("<IIQ", m, 32)
    neurons_offset, index_offset, commitments_offset = struct.unpack_from("<III", m, 76)
    meta_offset = struct.unpack_from("<I", m, 72)[0]
    neuron_capacity = struct.unpack_from("<I", m, 48)[0]
    mech_capacity, mech_record_size, mech_offset, mech_last_update, mech_incentives = struct.unpack_from(
        "<IIIII", m, 92)
    for _ in range(1000):
        state, current = struct.unpack_from("<II", m, 128)
        if state != 1 or current >= slot_count:
            sys.exit("segment not live")
        slot = slots_offset + current * slot_size
        seq1 = struct.unpack_from("<Q", m, slot)[0]
        if seq1 == 0 or seq1 & 1:
            continue
        image = m[slot:slot + slot_size]  # copy, then check the sequence word again
        if struct.unpack_from("<Q", m, slot)[0] == seq1:
            break
    else:
        sys.exit("writer kept the slot busy")
    block, ts_ms = struct.unpack_from("<QQ", image, meta_offset)
    neuron_count, commitment_count = struct.unpack_from("<II", image, meta_offset + 48)
    mechanism_count = struct.unpack_from("<I", image, meta_offset + 60)[0]
    if mechanism_count > mech_capacity or mech_record_size != 8:
        sys.exit("mechanism count beyond the capacity")
    tempo = struct.unpack_from("<H", image, meta_offset + 128 + 98)[0]
    row = neurons_offset + uid * 136
    stake = struct.unpack_from("<Q", image, row + 64)[0]
    hotkey = image[row:row + 32]
    # Binary search of the hotkey index (u16 uids sorted by hotkey).
    lo, hi, found = 0, neuron_count, -1
    while lo < hi:
        mid = (lo + hi) // 2
        u = struct.unpack_from("<H", image, index_offset + 2 * mid)[0]
        key = image[neurons_offset + u * 136:neurons_offset + u * 136 + 32]
        if key == hotkey:
            found = struct.unpack_from("<H", image, neurons_offset + u * 136 + 108)[0]
            break
        if key < hotkey:
            lo = mid + 1
        else:
            hi = mid
    print(generation, block, neuron_count, tempo, stake, found, commitment_count, mechanism_count)
    for mech in range(mechanism_count):
        share, flags = struct.unpack_from("<HB", image, mech_offset + mech * mech_record_size)
        if mech == 0:  # the row's own fields
            incentive = struct.unpack_from("<H", image, row + 118)[0]
            last_update = struct.unpack_from("<Q", image, row + 80)[0]
        else:
            incentive_stride = (neuron_capacity * 2 + 7) // 8 * 8
            incentive = struct.unpack_from("<H", image, mech_incentives + (mech - 1) * incentive_stride + 2 * uid)[0]
            last_update = struct.unpack_from("<Q", image, mech_last_update + (mech - 1) * neuron_capacity * 8 + 8 * uid)[0]
        print(mech, flags, share, incentive, last_update)


if __name__ == "__main__":
    main()

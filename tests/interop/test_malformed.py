#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Malformed IPv4 and ICMP from Linux (scapy over af_packet) against the stack.

Sends, from the Linux namespace, addressed to the stack's MAC and IP, exactly 1,000
malformed IPv4 datagrams carrying ICMP echo requests:
  250 bad IHL (0..4)                                   -> drop_ipv4_bad_hdr_len
  250 total length below the header length             -> drop_ipv4_bad_total_len
  250 header checksum wrong (field or header altered)  -> drop_ipv4_bad_checksum
  250 truncated: frame ends inside the 20-byte header,
      inside a longer (IHL > 5) header, or before the
      datagram's total length                           -> drop_ipv4_truncated
and then, counted apart, 75 well-formed IPv4 datagrams with bad ICMP:
   50 ICMP checksum wrong                              -> drop_icmp_bad_checksum
   25 ICMP message under 8 bytes (some with Ethernet
      padding after the datagram that must be ignored) -> drop_icmp_truncated

Every frame is first classified by a Python model of lib/wire/ipv4.c's check order,
so a frame that would land in another counter is a test bug, not a stack bug.

Asserts: each drop counter grows by exactly its count, ipv4_rx by exactly 75, the
other IPv4 drop counters and the ICMP echo counters not at all; then the stack still
answers 5 pings without loss, and a second read shows no late drop.
"""
import os
import struct
import tempfile

import dtcp_interop as di

SUBNET = "198.18.12"
PER_KIND = 250
ICMP_BAD_CKSUM = 50
ICMP_SHORT = 25
ICMP_ID = 0x4D46

IPV4_DROPS = ("drop_ipv4_truncated", "drop_ipv4_bad_version", "drop_ipv4_bad_hdr_len",
              "drop_ipv4_bad_total_len", "drop_ipv4_bad_checksum", "drop_ipv4_fragment",
              "drop_ipv4_options", "drop_ipv4_not_ours", "drop_ipv4_bad_source",
              "drop_ipv4_unknown_proto", "drop_ipv4_no_route")
ICMP_DROPS = ("drop_icmp_truncated", "drop_icmp_bad_checksum", "drop_icmp_unsupported")


def cksum(data):
    """Internet checksum (RFC 1071) of @data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def cksum_ok(data):
    return cksum(data) == 0


def classify(ip):
    """The drop counter lib/wire/ipv4.c + lib/net/icmp.c would pick for IPv4 bytes @ip
    (software checksum, no PMD verdict), or "ok"."""
    if len(ip) < 20:
        return "drop_ipv4_truncated"
    if ip[0] >> 4 != 4:
        return "drop_ipv4_bad_version"
    hl = (ip[0] & 0xF) * 4
    if hl < 20:
        return "drop_ipv4_bad_hdr_len"
    if hl > len(ip):
        return "drop_ipv4_truncated"
    tl = struct.unpack("!H", ip[2:4])[0]
    if tl < hl:
        return "drop_ipv4_bad_total_len"
    if tl > len(ip):
        return "drop_ipv4_truncated"
    if not cksum_ok(ip[:hl]):
        return "drop_ipv4_bad_checksum"
    if struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
        return "drop_ipv4_fragment"
    if hl > 20:
        return "drop_ipv4_options"
    icmp = ip[hl:tl]
    if len(icmp) < 8:
        return "drop_icmp_truncated"
    if not cksum_ok(icmp):
        return "drop_icmp_bad_checksum"
    return "ok"


class Builder:
    def __init__(self, topo):
        from scapy.all import ICMP, IP, Ether, Raw
        self.ICMP, self.IP, self.Raw = ICMP, IP, Raw
        self.eth = bytes(Ether(dst=topo.stack_mac, src=topo.linux_mac, type=0x0800))
        self.src, self.dst = topo.linux_addr, topo.stack_addr

    def datagram(self, seq, payload_len=56):
        """A valid IPv4 + ICMP echo request (scapy fills lengths and checksums)."""
        payload = bytes((seq + i) & 0xFF for i in range(payload_len))
        return bytearray(bytes(self.IP(src=self.src, dst=self.dst, id=seq, ttl=64) /
                               self.ICMP(type=8, code=0, id=ICMP_ID, seq=seq) /
                               self.Raw(payload)))


def set_ihl(ip, ihl):
    ip[0] = 0x40 | ihl


def set_total_len(ip, n):
    ip[2:4] = struct.pack("!H", n)


def fix_cksum(ip, hl=20):
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", cksum(bytes(ip[:hl])))


def malformed(b):
    """{counter: [IPv4 bytes]}: the 1,000 IPv4 frames and the ICMP extras."""
    out = {k: [] for k in ("drop_ipv4_bad_hdr_len", "drop_ipv4_bad_total_len",
                           "drop_ipv4_bad_checksum", "drop_ipv4_truncated",
                           "drop_icmp_bad_checksum", "drop_icmp_truncated")}
    seq = 0
    for i in range(PER_KIND):
        seq += 1
        # IHL 0..4: a header "shorter than 20 bytes" (checksum kept right over 20 bytes).
        ip = b.datagram(seq, 8 + i % 64)
        set_ihl(ip, i % 5)
        fix_cksum(ip)
        out["drop_ipv4_bad_hdr_len"].append(ip)

        seq += 1
        # Total length below the header length: 0..19 with IHL 5, 20..23 with IHL 6.
        ip = b.datagram(seq, 56)
        if i % 4 == 3:
            ip[20:20] = b"\x01\x01\x01\x01"  # 4 bytes of NOP options
            set_ihl(ip, 6)
            set_total_len(ip, 20 + i % 4)
            fix_cksum(ip, 24)
        else:
            set_total_len(ip, i % 20)
            fix_cksum(ip)
        out["drop_ipv4_bad_total_len"].append(ip)

        seq += 1
        # Bad header checksum: a wrong checksum field, or a field changed after it was set.
        ip = b.datagram(seq, 56)
        good = struct.unpack("!H", ip[10:12])[0]
        if i % 2 == 0:
            bad = good ^ (1 << (i % 16))
            if bad in (0x0000, 0xFFFF):  # +0 and -0 are the same in one's complement
                bad ^= 0x0101
            ip[10:12] = struct.pack("!H", bad)
        else:
            ip[8] ^= 1 + (i % 255)  # TTL
        out["drop_ipv4_bad_checksum"].append(ip)

        seq += 1
        # Truncated.
        ip = b.datagram(seq, 56)
        kind = i % 3
        if kind == 0:    # the frame ends inside the 20-byte header
            ip = ip[:1 + i % 19]
        elif kind == 1:  # IHL 6..15 but the frame ends after 20 bytes
            set_ihl(ip, 6 + i % 10)
            ip = ip[:20]
            set_total_len(ip, 20)
            fix_cksum(ip)
        else:            # total length beyond the end of the frame
            set_total_len(ip, len(ip) + 1 + (i * 37) % 1400)
            fix_cksum(ip)
        out["drop_ipv4_truncated"].append(ip)

    for i in range(ICMP_BAD_CKSUM):
        seq += 1
        ip = b.datagram(seq, 8 * (i % 8))
        ip[22] ^= 1 + i % 255  # ICMP checksum high byte
        out["drop_icmp_bad_checksum"].append(ip)

    for i in range(ICMP_SHORT):
        seq += 1
        # 0..7 bytes of ICMP; every other one with Ethernet padding after the datagram,
        # which the stack must trim (the whole ICMP header is in the frame, but not in
        # the datagram).
        n = i % 8
        ip = b.datagram(seq, 56)
        full = bytes(ip)
        ip = ip[:20 + n]
        set_total_len(ip, 20 + n)
        fix_cksum(ip)
        if i % 2:
            ip += full[20 + n:]
        out["drop_icmp_truncated"].append(ip)
    return out


def test():
    di.require_basics("ping")
    di.require_scapy()
    with di.Topology("mal", SUBNET) as topo, di.DtcpServer(topo) as srv, \
            tempfile.TemporaryDirectory(prefix="dtcp-malformed-") as tmp:
        builder = Builder(topo)
        groups = malformed(builder)
        frames = []
        for counter, datagrams in groups.items():
            for ip in datagrams:
                got = classify(bytes(ip))
                di.check(got == counter, f"test bug: a frame meant for {counter} "
                         f"classifies as {got}: {bytes(ip).hex()}")
                frames.append(builder.eth + bytes(ip))
        ipv4_bad = sum(len(groups[k]) for k in groups if k.startswith("drop_ipv4_"))
        di.check_eq(ipv4_bad, 4 * PER_KIND, "malformed IPv4 frames built")
        total = len(frames)
        path = os.path.join(tmp, "frames.hex")
        with open(path, "w") as f:
            f.write("".join(fr.hex() + "\n" for fr in frames))

        # Linux may complete ARP for the stack first: resolve it now so nothing else is
        # in flight while the malformed frames are counted.
        topo.ping("-i", "0.05", count=1, timeout=10)
        before = srv.stats()
        r = di.run(topo.helper("sendp", topo.linux_if, path), timeout=120)
        di.log(f"sent: {r.stdout.strip()} ({total} frames)")
        di.check(f'"sent": {total}' in r.stdout, f"sender did not send {total} frames")

        srv.wait_stats(lambda s: di.delta(s, before, "rx_packets") >= total, timeout=30,
                       what=f"the stack to receive {total} frames")
        after = srv.settled_stats()
        deltas = {k: di.delta(after, before, k) for k in IPV4_DROPS + ICMP_DROPS}
        di.log(f"rx_packets +{di.delta(after, before, 'rx_packets')}, drops: "
               + ", ".join(f"{k} +{v}" for k, v in deltas.items() if v))
        for k in IPV4_DROPS + ICMP_DROPS:
            di.check_eq(deltas[k], len(groups.get(k, ())), f"{k} delta")
        di.check_eq(di.delta(after, before, "ipv4_rx"), ICMP_BAD_CKSUM + ICMP_SHORT,
                    "ipv4_rx delta (datagrams that passed the IPv4 checks)")
        di.check_eq(di.delta(after, before, "icmp_rx_echo_requests"), 0,
                    "icmp_rx_echo_requests delta")
        di.check_eq(di.delta(after, before, "icmp_tx_echo_replies"), 0,
                    "icmp_tx_echo_replies delta")

        # Still alive and answering; the pings also flush any frame still in flight, so
        # the second read proves no malformed frame was counted late.
        r = topo.ping("-i", "0.05", count=5, timeout=15)
        di.check(" 0% packet loss" in r.stdout, f"ping after malformed frames:\n{r.stdout}")
        final = srv.stats()
        for k in IPV4_DROPS + ICMP_DROPS:
            di.check_eq(di.delta(final, before, k), len(groups.get(k, ())),
                        f"{k} delta after the pings")
        di.check_eq(di.delta(final, after, "icmp_tx_echo_replies"), 5,
                    "echo replies after the malformed frames")


if __name__ == "__main__":
    di.main(test)

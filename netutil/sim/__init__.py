"""The TCP connection simulator: two RFC 9293 endpoints over an impaired network.

`engine` (events), `network` (impairments), `tcb` (one endpoint's state machine), `states`
(the transition table), `options` (validated scenario), `run` (scenario -> trace), `stats`
(Monte Carlo), `capture` (trace -> pcap). Nothing here reads a clock or prints.
"""

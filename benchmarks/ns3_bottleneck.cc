// The bottleneck benchmark's scenario in ns-3 (built and run by benchmarks/bench_bottleneck.py,
// never committed as a binary): one TCP bulk transfer of BYTES over a point-to-point link of
// RATE with a one-way DELAY, a drop-tail queue of QUEUE packets, random loss LOSS on each
// direction (a RateErrorModel on each receiving device, per packet), the congestion control CC
// (TcpNewReno, TcpCubic, ...), MSS 1460 with timestamps and SACK, a receive and send buffer of
// BUFFER bytes. Prints one line: the events the simulator ran, the CPU seconds of
// Simulator::Run, the bytes received and the simulated second the last byte arrived.
//
//   ns3_bottleneck BYTES RATE_BPS DELAY_S QUEUE LOSS CC BUFFER [CWND_TRACE_FILE]

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <ctime>
#include <fstream>
#include <iostream>
#include <string>

using namespace ns3;

static double g_lastRx = 0;
static std::ofstream g_cwnd;

static void
Received(Ptr<const Packet> packet, const Address &)
{
    g_lastRx = Simulator::Now().GetSeconds();
}

static void
CwndChanged(uint32_t, uint32_t cwnd)
{
    g_cwnd << Simulator::Now().GetSeconds() << " " << cwnd << "\n";
}

static void
TraceCwnd()
{
    Config::ConnectWithoutContext(
        "/NodeList/0/$ns3::TcpL4Protocol/SocketList/0/CongestionWindow",
        MakeCallback(&CwndChanged));
}

int
main(int argc, char *argv[])
{
    if (argc < 8)
    {
        std::cerr << "usage: ns3_bottleneck BYTES RATE_BPS DELAY_S QUEUE LOSS CC BUFFER [CWND]\n";
        return 2;
    }
    uint64_t bytes = std::stoull(argv[1]);
    std::string rate = std::string(argv[2]) + "bps";
    double delay = std::stod(argv[3]);
    std::string queue = std::string(argv[4]) + "p";
    double loss = std::stod(argv[5]);
    std::string cc = std::string("ns3::") + argv[6];
    uint32_t buffer = std::stoul(argv[7]);

    Config::SetDefault("ns3::TcpL4Protocol::SocketType", StringValue(cc));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1460));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(buffer));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(buffer));
    Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(1));  // ACK every segment
    Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(true));
    Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(true));
    RngSeedManager::SetSeed(1);

    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper link;
    link.SetDeviceAttribute("DataRate", StringValue(rate));
    link.SetChannelAttribute("Delay", TimeValue(Seconds(delay)));
    link.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue(queue));
    NetDeviceContainer devices = link.Install(nodes);
    for (uint32_t i = 0; i < 2; ++i)
    {
        Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
        em->SetAttribute("ErrorRate", DoubleValue(loss));
        em->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
        devices.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(em));
    }
    InternetStackHelper stack;
    stack.Install(nodes);
    Ipv4AddressHelper addresses;
    addresses.SetBase("192.0.2.0", "255.255.255.0");
    Ipv4InterfaceContainer interfaces = addresses.Assign(devices);

    uint16_t port = 9;
    BulkSendHelper source("ns3::TcpSocketFactory", InetSocketAddress(interfaces.GetAddress(1), port));
    source.SetAttribute("MaxBytes", UintegerValue(bytes));
    ApplicationContainer sender = source.Install(nodes.Get(0));
    sender.Start(Seconds(0.0));
    PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
    ApplicationContainer receiver = sink.Install(nodes.Get(1));
    receiver.Start(Seconds(0.0));
    receiver.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&Received));
    if (argc > 8)
    {
        g_cwnd.open(argv[8]);
        Simulator::Schedule(Seconds(0.001), &TraceCwnd);
    }

    Simulator::Stop(Seconds(86400));
    std::clock_t start = std::clock();
    Simulator::Run();
    double cpu = double(std::clock() - start) / CLOCKS_PER_SEC;
    uint64_t received = DynamicCast<PacketSink>(receiver.Get(0))->GetTotalRx();
    std::cout << Simulator::GetEventCount() << " " << cpu << " " << received << " " << g_lastRx
              << std::endl;
    Simulator::Destroy();
    return 0;
}

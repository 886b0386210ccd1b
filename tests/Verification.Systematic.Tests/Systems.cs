using Verification.Checkers.Systematic;
using Verification.Protocols;
using Verification.Specs.Examples;

namespace Verification.Systematic.Tests;

/// <summary>The example protocols paired with the specs they must satisfy.</summary>
internal static class Systems
{
    public static Protocol<object, PingMessage, DeliveryEvent> Ping(bool pipelined) =>
        new(pipelined ? PingNode.PipelinedName : PingNode.StopAndWaitName, 2, _ => new PingNode(pipelined), InOrderDelivery.Create());

    public static Protocol<object, LockMessage, LockEvent> Lock(bool retransmitRelease) =>
        new(retransmitRelease ? LockNode.RetransmitName : LockNode.LostReleaseName, 1 + LockNode.Clients, _ => new LockNode(retransmitRelease), LockService.Create(LockNode.Clients));
}

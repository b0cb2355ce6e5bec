namespace SignatureService.Pki.Timestamping;

/// <summary>An encoded TimeStampResp and its outcome.</summary>
/// <param name="Status">granted or rejection.</param>
/// <param name="FailureInfo">The failInfo bits when rejected.</param>
/// <param name="Encoded">The DER TimeStampResp, to be sent as application/timestamp-reply.</param>
public sealed record TimeStampResponseMessage(PkiStatus Status, PkiFailureInfo FailureInfo, byte[] Encoded);

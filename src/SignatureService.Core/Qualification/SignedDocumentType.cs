namespace SignatureService.Core.Qualification;

/// <summary>The statutory document types the service signs (DOMAIN.md §1).</summary>
public enum SignedDocumentType
{
    /// <summary>処方箋 (医師法22条, 歯科医師法21条).</summary>
    Prescription = 1,

    /// <summary>調剤済み処方箋 / 調剤結果 (薬剤師法19条, 23条, 26条).</summary>
    DispensingRecord = 2,

    /// <summary>死亡診断書 (医師法施行規則20条, 歯科医師法施行規則19条の2).</summary>
    DeathCertificate = 3,

    /// <summary>死体検案書 (医師法19条2項, 20条): doctors only.</summary>
    PostmortemCertificate = 4,
}

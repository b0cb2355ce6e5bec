using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using SignatureService.Hsm;

// Measures HsmKey.Sign through our binding, the way p11bench.c measures raw C_Sign:
// usage: SignatureService.Hsm.Benchmarks MODULE TOKEN_LABEL PIN_FILE rsa|ec THREADS SECONDS
// prints "<signatures per second> <signatures> <seconds>".
if (args.Length != 6)
{
    await Console.Error.WriteLineAsync("usage: SignatureService.Hsm.Benchmarks MODULE TOKEN_LABEL PIN_FILE rsa|ec THREADS SECONDS");
    return 1;
}

var rsa = args[3] == "rsa";
var threads = int.Parse(args[4], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[5], CultureInfo.InvariantCulture);
using var token = HsmToken.Open(new HsmOptions
{
    ModulePath = args[0],
    TokenLabel = args[1],
    PinFile = args[2],
    SessionPoolSize = threads,
});
var id = RandomNumberGenerator.GetBytes(16);
var key = token.GenerateKeyPair(rsa ? HsmKeyAlgorithm.Rsa2048 : HsmKeyAlgorithm.EcP256, "bench/dotnet", id);
try
{
    var mechanism = rsa ? HsmSignatureMechanism.Sha256RsaPkcs : HsmSignatureMechanism.Ecdsa;
    var input = new byte[rsa ? 64 : 32];
    input.AsSpan().Fill(0x5a);
    var counts = new long[threads];
    var phase = 0; // 0 warm-up, 1 measuring, 2 stop
    var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
    {
        long count = 0;
        while (Volatile.Read(ref phase) < 2)
        {
            _ = key.Sign(mechanism, input);
            if (Volatile.Read(ref phase) == 1)
            {
                count++;
            }
        }

        counts[t] = count;
    })).ToList();
    workers.ForEach(w => w.Start());
    Thread.Sleep(TimeSpan.FromSeconds(1));
    Volatile.Write(ref phase, 1);
    var clock = Stopwatch.StartNew();
    Thread.Sleep(TimeSpan.FromSeconds(seconds));
    Volatile.Write(ref phase, 2);
    var elapsed = clock.Elapsed.TotalSeconds;
    workers.ForEach(w => w.Join());
    var total = counts.Sum();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total / elapsed:F1} {total} {elapsed:F3}"));
    return 0;
}
finally
{
    token.DestroyKey(id);
}

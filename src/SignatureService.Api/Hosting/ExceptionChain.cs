namespace SignatureService.Api.Hosting;

/// <summary>Looks through wrapped exceptions: EF Core, the XAdES and CAdES layers and the authentication handler wrap the cause.</summary>
internal static class ExceptionChain
{
    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions (at most 8 deep) matches.</summary>
    public static bool Contains(this Exception exception, Func<Exception, bool> match)
    {
        for (var (current, depth) = (exception, 0); current is not null && depth < 8; (current, depth) = (current.InnerException, depth + 1))
        {
            if (match(current))
            {
                return true;
            }
        }

        return false;
    }
}

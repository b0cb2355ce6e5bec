# syntax=docker/dockerfile:1
# Multi-stage build of SignatureService.
#   production (default):  docker build -t registry.example.jp/signsvc/api:1.0.0 .
#   development (SoftHSM2): docker build --target development -t registry.example.jp/signsvc/api-dev:1.0.0 .
# Both run as the non-root user 10001 on a read-only root file system (see k8s/); the production image carries no HSM
# software at all: the network HSM's PKCS#11 library is mounted from a volume at run time.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet restore src/SignatureService.Api/SignatureService.Api.csproj
RUN dotnet publish src/SignatureService.Api/SignatureService.Api.csproj -c Release -o /app --no-restore /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN groupadd --system --gid 10001 signsvc \
 && useradd --system --uid 10001 --gid signsvc --home-dir /tmp --shell /usr/sbin/nologin signsvc
WORKDIR /app
COPY --from=build --chown=root:root /app ./
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_EnableDiagnostics=0 \
    DOTNET_NOLOGO=1
EXPOSE 8080

FROM runtime AS development
RUN apt-get update \
 && apt-get install -y --no-install-recommends softhsm2 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/softhsm/tokens \
 && chown -R 10001:10001 /var/lib/softhsm/tokens
USER 10001:10001
ENTRYPOINT ["dotnet", "SignatureService.Api.dll"]

FROM runtime AS production
USER 10001:10001
ENTRYPOINT ["dotnet", "SignatureService.Api.dll"]

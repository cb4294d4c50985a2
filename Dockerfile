# syntax=docker/dockerfile:1
# Tally's production image: one image, every role; the role is chosen by the command
# (`serve --roles ingest|aggregator|api`). Build from the repository root:
#   docker build -t tally:dev .
#
# The image carries no chDB (libchdb.so, ~560 MB): in production Tally talks to a ClickHouse
# server through ClickHouse:ConnectionString (TALLY_ClickHouse__ConnectionString). Started
# without that key, a role that needs ClickHouse (aggregator, api) fails at start because the
# embedded engine's library is absent, which is the intended outcome in a container.
# Likewise set Kafka:BootstrapServers and Ledger:ConnectionString: the embedded event log and
# SQLite ledger would live in the container's own data directory and not be shared by replicas.

# The usage dashboard (src/Dashboard), built with its locked npm packages; the host build copies it as wwwroot/.
FROM node:20-bookworm-slim AS dashboard
WORKDIR /src/src/Dashboard
COPY src/Dashboard/package.json src/Dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY src/Dashboard/ ./
RUN npm run build

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the build files alone, so source edits do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Billing/Tally.Billing.csproj src/Billing/
COPY src/ServiceDefaults/Tally.ServiceDefaults.csproj src/ServiceDefaults/
COPY src/EventLog/Tally.EventLog.csproj src/EventLog/
COPY src/EventIdentities/Tally.EventIdentities.csproj src/EventIdentities/
COPY src/ClickHouse/Tally.ClickHouse.csproj src/ClickHouse/
COPY src/Ledger/Tally.Ledger.csproj src/Ledger/
COPY src/Stripe/Tally.Stripe.csproj src/Stripe/
COPY src/Ingest/Tally.Ingest.csproj src/Ingest/
COPY src/Aggregator/Tally.Aggregator.csproj src/Aggregator/
COPY src/Rating/Tally.Rating.csproj src/Rating/
COPY src/Invoicer/Tally.Invoicer.csproj src/Invoicer/
COPY src/Host/Tally.Host.csproj src/Host/
RUN dotnet restore src/Host/Tally.Host.csproj

COPY src/ src/
COPY --from=dashboard /src/src/Dashboard/dist src/Dashboard/dist
# Framework-dependent and portable (no runtime identifier): runs on the aspnet image for
# amd64 and arm64 alike; native libraries (librdkafka, e_sqlite3, librocksdb) come from runtimes/.
RUN dotnet publish src/Host/Tally.Host.csproj -c Release --no-restore --no-self-contained \
        -p:UseAppHost=false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# The aspnet image ships a non-root user `app` (uid 1654); Tally's state goes to /var/lib/tally.
# In production that directory holds nothing that must survive a restart (the event log is Kafka,
# the ledger PostgreSQL, the admin token comes from TALLY_ADMIN_TOKEN), but it must be writable:
# Tally creates it at start, and the embedded fallbacks would write there.
ENV TALLY_DATA_DIR=/var/lib/tally \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
RUN mkdir -p /var/lib/tally && chown 1654:1654 /var/lib/tally
WORKDIR /app
COPY --from=build /app ./
USER 1654:1654
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/tally.dll"]
CMD ["serve", "--roles", "ingest,aggregator,api", "--bind", "0.0.0.0", "--port", "8080"]

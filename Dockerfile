# The sandbox as a container, for docker-compose files and other languages' tests:
#   docker build -t paynet-sandbox .
#   docker run --rm -p 8765:8765 paynet-sandbox
# Inside a compose network, give the address other services use, so the pages the
# sandbox hands out (3D, PayLink, slips) point there:
#   command: ["--public-url", "http://paynet-sandbox:8765"]
# Not built on the project's development machine (it reaches no image registry).
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p paynet-sandbox

FROM debian:bookworm-slim
COPY --from=build /src/target/release/paynet-sandbox /usr/local/bin/paynet-sandbox
USER 65534:65534
EXPOSE 8765
ENTRYPOINT ["paynet-sandbox", "--host", "0.0.0.0", "--port", "8765"]

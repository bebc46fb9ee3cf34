// The only place the NATS C client's header is seen (Debian's libnats-dev).
#include <nats/nats.h>

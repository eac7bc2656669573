#ifndef HOTSTOCK_CHIREDIS_SHIM_H
#define HOTSTOCK_CHIREDIS_SHIM_H

#include <stdlib.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

/// Frees a command buffer made by `redisFormatCommandArgv` (hiredis 0.14 has no
/// `redisFreeCommand`; the buffer comes from `malloc`).
static inline void hotstock_free_command(char *command) { free(command); }

/// Casts the opaque reply handed out by `redisReaderGetReply` to a `redisReply`.
static inline redisReply *hotstock_as_reply(void *reply) { return (redisReply *)reply; }

#endif

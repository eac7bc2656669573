#ifndef HOTSTOCK_CMARIADB_SHIM_H
#define HOTSTOCK_CMARIADB_SHIM_H

#include <stddef.h>
#include <mysql.h>

/// `mysql_library_init` is a macro; Swift calls this instead.
static inline int hotstock_mysql_library_init(void) { return mysql_library_init(0, NULL, NULL); }

#endif

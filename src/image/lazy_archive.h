/* vessel: libarchive, loaded when first used rather than when vessel
 * starts (it brings libxml2 and ICU, the slowest objects to load, though
 * only image unpacking, save, load, import and commit read or write tars).
 * Code that includes this header instead of <archive.h> and
 * <archive_entry.h> calls each archive_* function through vs_archive(),
 * which dlopens libarchive once (VESSEL_LIBARCHIVE_SONAME) and resolves the
 * functions listed here. A function used but not listed fails to link
 * (libarchive is not linked): add it to the list.
 *
 * If the library cannot be loaded the process exits with 127 and one line,
 * as the dynamic linker would have at start. */
#ifndef VESSEL_IMAGE_LAZY_ARCHIVE_H
#define VESSEL_IMAGE_LAZY_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "util/lazy.h"

#define VS_ARCHIVE_FUNCTIONS(X)                                                                                        \
        X(archive_entry_atime)                                                                                         \
        X(archive_entry_atime_is_set)                                                                                  \
        X(archive_entry_atime_nsec)                                                                                    \
        X(archive_entry_copy_stat)                                                                                     \
        X(archive_entry_filetype)                                                                                      \
        X(archive_entry_free)                                                                                          \
        X(archive_entry_gid)                                                                                           \
        X(archive_entry_hardlink)                                                                                      \
        X(archive_entry_mtime)                                                                                         \
        X(archive_entry_mtime_nsec)                                                                                    \
        X(archive_entry_new)                                                                                           \
        X(archive_entry_pathname)                                                                                      \
        X(archive_entry_perm)                                                                                          \
        X(archive_entry_rdev)                                                                                          \
        X(archive_entry_rdevmajor)                                                                                     \
        X(archive_entry_rdevminor)                                                                                     \
        X(archive_entry_set_filetype)                                                                                  \
        X(archive_entry_set_gid)                                                                                       \
        X(archive_entry_set_hardlink)                                                                                  \
        X(archive_entry_set_mtime)                                                                                     \
        X(archive_entry_set_pathname)                                                                                  \
        X(archive_entry_set_perm)                                                                                      \
        X(archive_entry_set_rdev)                                                                                      \
        X(archive_entry_set_size)                                                                                      \
        X(archive_entry_set_symlink)                                                                                   \
        X(archive_entry_set_uid)                                                                                       \
        X(archive_entry_size)                                                                                          \
        X(archive_entry_symlink)                                                                                       \
        X(archive_entry_uid)                                                                                           \
        X(archive_entry_xattr_add_entry)                                                                               \
        X(archive_entry_xattr_next)                                                                                    \
        X(archive_entry_xattr_reset)                                                                                   \
        X(archive_errno)                                                                                               \
        X(archive_error_string)                                                                                        \
        X(archive_filter_code)                                                                                         \
        X(archive_free)                                                                                                \
        X(archive_read_data)                                                                                           \
        X(archive_read_data_block)                                                                                     \
        X(archive_read_free)                                                                                           \
        X(archive_read_new)                                                                                            \
        X(archive_read_next_header)                                                                                    \
        X(archive_read_open)                                                                                           \
        X(archive_read_open_fd)                                                                                        \
        X(archive_read_support_filter_all)                                                                             \
        X(archive_read_support_filter_bzip2)                                                                           \
        X(archive_read_support_filter_gzip)                                                                            \
        X(archive_read_support_filter_xz)                                                                              \
        X(archive_read_support_filter_zstd)                                                                            \
        X(archive_read_support_format_gnutar)                                                                          \
        X(archive_read_support_format_raw)                                                                             \
        X(archive_read_support_format_tar)                                                                             \
        X(archive_set_error)                                                                                           \
        X(archive_write_add_filter_gzip)                                                                               \
        X(archive_write_close)                                                                                         \
        X(archive_write_data)                                                                                          \
        X(archive_write_free)                                                                                          \
        X(archive_write_header)                                                                                        \
        X(archive_write_new)                                                                                           \
        X(archive_write_open)                                                                                          \
        X(archive_write_open_fd)                                                                                       \
        X(archive_write_set_bytes_in_last_block)                                                                       \
        X(archive_write_set_bytes_per_block)                                                                           \
        X(archive_write_set_filter_option)                                                                             \
        X(archive_write_set_format_pax_restricted)                                                                     \
        X(archive_write_set_format_raw)

struct vs_archive_api {
        VS_ARCHIVE_FUNCTIONS(VS_LAZY_MEMBER)
};
const struct vs_archive_api *vs_archive(void);

#ifndef VS_LAZY_DEFINE
#define archive_entry_atime (*vs_archive()->archive_entry_atime)
#define archive_entry_atime_is_set (*vs_archive()->archive_entry_atime_is_set)
#define archive_entry_atime_nsec (*vs_archive()->archive_entry_atime_nsec)
#define archive_entry_copy_stat (*vs_archive()->archive_entry_copy_stat)
#define archive_entry_filetype (*vs_archive()->archive_entry_filetype)
#define archive_entry_free (*vs_archive()->archive_entry_free)
#define archive_entry_gid (*vs_archive()->archive_entry_gid)
#define archive_entry_hardlink (*vs_archive()->archive_entry_hardlink)
#define archive_entry_mtime (*vs_archive()->archive_entry_mtime)
#define archive_entry_mtime_nsec (*vs_archive()->archive_entry_mtime_nsec)
#define archive_entry_new (*vs_archive()->archive_entry_new)
#define archive_entry_pathname (*vs_archive()->archive_entry_pathname)
#define archive_entry_perm (*vs_archive()->archive_entry_perm)
#define archive_entry_rdev (*vs_archive()->archive_entry_rdev)
#define archive_entry_rdevmajor (*vs_archive()->archive_entry_rdevmajor)
#define archive_entry_rdevminor (*vs_archive()->archive_entry_rdevminor)
#define archive_entry_set_filetype (*vs_archive()->archive_entry_set_filetype)
#define archive_entry_set_gid (*vs_archive()->archive_entry_set_gid)
#define archive_entry_set_hardlink (*vs_archive()->archive_entry_set_hardlink)
#define archive_entry_set_mtime (*vs_archive()->archive_entry_set_mtime)
#define archive_entry_set_pathname (*vs_archive()->archive_entry_set_pathname)
#define archive_entry_set_perm (*vs_archive()->archive_entry_set_perm)
#define archive_entry_set_rdev (*vs_archive()->archive_entry_set_rdev)
#define archive_entry_set_size (*vs_archive()->archive_entry_set_size)
#define archive_entry_set_symlink (*vs_archive()->archive_entry_set_symlink)
#define archive_entry_set_uid (*vs_archive()->archive_entry_set_uid)
#define archive_entry_size (*vs_archive()->archive_entry_size)
#define archive_entry_symlink (*vs_archive()->archive_entry_symlink)
#define archive_entry_uid (*vs_archive()->archive_entry_uid)
#define archive_entry_xattr_add_entry (*vs_archive()->archive_entry_xattr_add_entry)
#define archive_entry_xattr_next (*vs_archive()->archive_entry_xattr_next)
#define archive_entry_xattr_reset (*vs_archive()->archive_entry_xattr_reset)
#define archive_errno (*vs_archive()->archive_errno)
#define archive_error_string (*vs_archive()->archive_error_string)
#define archive_filter_code (*vs_archive()->archive_filter_code)
#define archive_free (*vs_archive()->archive_free)
#define archive_read_data (*vs_archive()->archive_read_data)
#define archive_read_data_block (*vs_archive()->archive_read_data_block)
#define archive_read_free (*vs_archive()->archive_read_free)
#define archive_read_new (*vs_archive()->archive_read_new)
#define archive_read_next_header (*vs_archive()->archive_read_next_header)
#define archive_read_open (*vs_archive()->archive_read_open)
#define archive_read_open_fd (*vs_archive()->archive_read_open_fd)
#define archive_read_support_filter_all (*vs_archive()->archive_read_support_filter_all)
#define archive_read_support_filter_bzip2 (*vs_archive()->archive_read_support_filter_bzip2)
#define archive_read_support_filter_gzip (*vs_archive()->archive_read_support_filter_gzip)
#define archive_read_support_filter_xz (*vs_archive()->archive_read_support_filter_xz)
#define archive_read_support_filter_zstd (*vs_archive()->archive_read_support_filter_zstd)
#define archive_read_support_format_gnutar (*vs_archive()->archive_read_support_format_gnutar)
#define archive_read_support_format_raw (*vs_archive()->archive_read_support_format_raw)
#define archive_read_support_format_tar (*vs_archive()->archive_read_support_format_tar)
#define archive_set_error (*vs_archive()->archive_set_error)
#define archive_write_add_filter_gzip (*vs_archive()->archive_write_add_filter_gzip)
#define archive_write_close (*vs_archive()->archive_write_close)
#define archive_write_data (*vs_archive()->archive_write_data)
#define archive_write_free (*vs_archive()->archive_write_free)
#define archive_write_header (*vs_archive()->archive_write_header)
#define archive_write_new (*vs_archive()->archive_write_new)
#define archive_write_open (*vs_archive()->archive_write_open)
#define archive_write_open_fd (*vs_archive()->archive_write_open_fd)
#define archive_write_set_bytes_in_last_block (*vs_archive()->archive_write_set_bytes_in_last_block)
#define archive_write_set_bytes_per_block (*vs_archive()->archive_write_set_bytes_per_block)
#define archive_write_set_filter_option (*vs_archive()->archive_write_set_filter_option)
#define archive_write_set_format_pax_restricted (*vs_archive()->archive_write_set_format_pax_restricted)
#define archive_write_set_format_raw (*vs_archive()->archive_write_set_format_raw)
#endif

#endif

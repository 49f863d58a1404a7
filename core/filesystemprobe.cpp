#include "filesystemprobe.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace lockscope {

namespace {

struct KnownFs
{
    unsigned long magic;
    const char *name;
    FilesystemKind kind;
};

// Magic numbers from linux/magic.h and the filesystems' own headers. Anything
// that can be shared between hosts counts as network: a PID read there may
// belong to another machine.
constexpr KnownFs kKnown[] = {
    {0xEF53, "ext4", FilesystemKind::Local},
    {0x9123683E, "btrfs", FilesystemKind::Local},
    {0x58465342, "xfs", FilesystemKind::Local},
    {0x01021994, "tmpfs", FilesystemKind::Local},
    {0x794C7630, "overlayfs", FilesystemKind::Local},
    {0x2FC12FC1, "zfs", FilesystemKind::Local},
    {0xF2F52010, "f2fs", FilesystemKind::Local},
    {0x4d44, "vfat", FilesystemKind::Local},
    {0x5346544e, "ntfs", FilesystemKind::Local},
    {0x3153464a, "jfs", FilesystemKind::Local},
    {0x52654973, "reiserfs", FilesystemKind::Local},
    {0x73717368, "squashfs", FilesystemKind::Local},
    {0x9660, "iso9660", FilesystemKind::Local},
    {0x6969, "nfs", FilesystemKind::Network},
    {0x517B, "smb", FilesystemKind::Network},
    {0xFF534D42, "cifs", FilesystemKind::Network},
    {0xFE534D42, "smb2", FilesystemKind::Network},
    {0x00C36400, "ceph", FilesystemKind::Network},
    {0x5346414F, "afs", FilesystemKind::Network},
    {0x6B414653, "kafs", FilesystemKind::Network},
    {0x73757245, "coda", FilesystemKind::Network},
    {0x01021997, "9p", FilesystemKind::Network},
    {0x01161970, "gfs2", FilesystemKind::Network},
    {0x7461636f, "ocfs2", FilesystemKind::Network},
    {0x0BD00BD0, "lustre", FilesystemKind::Network},
    {0x564c, "ncp", FilesystemKind::Network},
    {0x47504653, "gpfs", FilesystemKind::Network},
    {0x65735546, "fuse", FilesystemKind::Fuse},
    {0x65735543, "fusectl", FilesystemKind::Fuse},
};

} // namespace

DirectoryFacts probeDirectory(int dirfd)
{
    DirectoryFacts facts;

    struct statfs fs
    {
    };
    if (::fstatfs(dirfd, &fs) == 0) {
        const auto magic = static_cast<unsigned long>(fs.f_type) & 0xFFFFFFFFUL;
        facts.typeName = QStringLiteral("0x%1").arg(magic, 0, 16);
        for (const KnownFs &known : kKnown) {
            if (known.magic == magic) {
                facts.kind = known.kind;
                facts.typeName = QString::fromLatin1(known.name);
                break;
            }
        }
    } else {
        facts.error = errno;
    }

    struct statvfs vfs
    {
    };
    if (::fstatvfs(dirfd, &vfs) == 0)
        facts.readOnly = (vfs.f_flag & ST_RDONLY) != 0;

    struct stat st
    {
    };
    if (::fstat(dirfd, &st) == 0) {
        facts.sticky = (st.st_mode & S_ISVTX) != 0;
        facts.ownerUid = st.st_uid;
    } else if (facts.error == 0) {
        facts.error = errno;
    }

    facts.writable = ::faccessat(dirfd, ".", W_OK | X_OK, AT_EACCESS) == 0;
    return facts;
}

QString filesystemKindName(FilesystemKind kind)
{
    switch (kind) {
    case FilesystemKind::Local:
        return QStringLiteral("local");
    case FilesystemKind::Network:
        return QStringLiteral("network");
    case FilesystemKind::Fuse:
        return QStringLiteral("fuse");
    case FilesystemKind::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

} // namespace lockscope

#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

namespace lockscope {

enum class FileType
{
    Missing,
    Regular,
    Symlink,
    Directory,
    Fifo,
    Socket,
    Device,
    Other
};

// The lstat of one entry plus, for regular files, its first bytes. Reading goes
// through the directory handle with O_NOFOLLOW | O_NONBLOCK so that a symlink
// is never followed and a FIFO never blocks the scan.
struct EntryFile
{
    FileType type = FileType::Missing;
    int statErrno = 0;
    int openErrno = 0; // why the bytes could not be read (EACCES, ELOOP, ...)
    quint64 dev = 0;
    quint64 ino = 0;
    quint64 nlink = 0;
    uint mode = 0;
    uint uid = 0;
    qint64 size = 0;
    qint64 mtimeMs = 0;
    qint64 ctimeMs = 0;
    bool read = false;      // bytes holds the file's content (or its first bound bytes)
    bool truncated = false; // the file is larger than the bound
    QByteArray bytes;

    bool sameInode(const EntryFile &other) const
    {
        return type != FileType::Missing && other.type != FileType::Missing && dev == other.dev &&
               ino == other.ino;
    }
};

// A lock payload is ~150 bytes; anything past this bound is not a lock.
constexpr qint64 kLockReadBound = 64 * 1024;

EntryFile statEntry(int dirfd, const QByteArray &name);
// lstat, then (for a regular file) a bounded read checked with fstat to be the
// same inode that was stat'ed.
EntryFile readEntry(int dirfd, const QByteArray &name, qint64 bound = kLockReadBound);

QString fileTypeName(FileType type);
QString errnoText(int error);

} // namespace lockscope
